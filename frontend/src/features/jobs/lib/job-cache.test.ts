import { describe, expect, it } from "vitest";
import type { Job, JobList } from "@/lib/api";
import { mergeProgress, reconcileJobs, upsertJob } from "./job-cache";

function job(over: Partial<Job> = {}): Job {
  return {
    id: "j1",
    url: "https://example.com/v",
    origin: "web",
    status: "downloading",
    created_at: "2025-01-01T10:00:00Z",
    updated_at: "2025-01-01T10:00:05Z",
    ...over,
  } as Job;
}

const list = (...items: Job[]): JobList => ({ items, total: items.length });

describe("upsertJob (a live `job` event)", () => {
  it("replaces the cached job with a newer one", () => {
    const next = upsertJob(list(job()), job({ status: "transcoding", updated_at: "2025-01-01T10:00:09Z" }));
    expect(next!.items[0].status).toBe("transcoding");
  });

  it("ignores an older copy (a replayed event after resume never rolls back)", () => {
    const cached = list(job({ status: "storing", updated_at: "2025-01-01T10:01:00Z" }));
    expect(upsertJob(cached, job({ status: "downloading", updated_at: "2025-01-01T10:00:30Z" }))).toBe(cached);
  });

  it("never reopens a finished job", () => {
    const cached = list(job({ status: "done", updated_at: "2025-01-01T10:01:00Z" }));
    expect(upsertJob(cached, job({ status: "storing", updated_at: "2025-01-01T10:02:00Z" }))!.items[0].status).toBe("done");
  });

  it("adds an unknown job at the top and counts it", () => {
    const next = upsertJob(list(job()), job({ id: "j2", status: "queued", created_at: "2025-01-01T11:00:00Z" }));
    expect(next!.items.map((j) => j.id)).toEqual(["j2", "j1"]);
    expect(next!.total).toBe(2);
  });

  it("leaves an unloaded cache alone (the query will fetch)", () => {
    expect(upsertJob(undefined, job())).toBeUndefined();
  });
});

describe("mergeProgress (a live `progress` event)", () => {
  it("merges the stage fields into a running job", () => {
    const next = mergeProgress(list(job()), { id: "j1", stage: "download", progress: 42.5, speed: 1000, eta: 12, downloaded_bytes: 425, total_bytes: 1000 });
    expect(next!.items[0]).toMatchObject({ progress: 42.5, speed: 1000, eta: 12, downloaded_bytes: 425, total_bytes: 1000, stage: "download", status: "downloading" });
  });

  it("does not touch finished or unknown jobs", () => {
    const done = list(job({ status: "done", progress: 100 }));
    expect(mergeProgress(done, { id: "j1", progress: 50 })).toBe(done);
    const other = list(job());
    expect(mergeProgress(other, { id: "nope", progress: 50 })).toBe(other);
  });

  it("keeps fields the event does not carry", () => {
    const next = mergeProgress(list(job({ title: "Cats", speed: 7 })), { id: "j1", progress: 10 });
    expect(next!.items[0]).toMatchObject({ title: "Cats", speed: 7, progress: 10 });
  });
});

describe("reconcileJobs (a refetch racing live events)", () => {
  it("keeps cached jobs that are newer than the fetched copy", () => {
    const cached = list(job({ status: "storing", updated_at: "2025-01-01T10:05:00Z" }));
    const fetched = list(job({ status: "transcoding", updated_at: "2025-01-01T10:04:00Z" }), job({ id: "j0" }));
    const merged = reconcileJobs(cached, fetched);
    expect(merged.items.map((j) => j.status)).toEqual(["storing", "downloading"]);
    expect(reconcileJobs(undefined, fetched)).toBe(fetched);
  });
});
