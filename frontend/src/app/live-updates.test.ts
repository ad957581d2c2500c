import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { JobList } from "@/lib/api";
import { queryKeys } from "@/lib/query-keys";
import { handleLiveEvent } from "./live-updates";

const base = { url: "https://e.com/v", origin: "web", created_at: "2025-01-01T10:00:00Z" };

describe("live events into the query cache", () => {
  it("applies job and progress events to the jobs list and invalidates the library", async () => {
    const qc = new QueryClient();
    qc.setQueryData<JobList>(queryKeys.jobs.list(), { items: [{ ...base, id: "a", status: "queued", updated_at: "2025-01-01T10:00:00Z" } as JobList["items"][number]], total: 1 });
    qc.setQueryData(queryKeys.library.list({}), { pages: [], pageParams: [] });

    handleLiveEvent(qc, { type: "job", id: "1-0", data: JSON.stringify({ ...base, id: "a", status: "downloading", updated_at: "2025-01-01T10:00:01Z" }) });
    handleLiveEvent(qc, { type: "progress", id: "2-0", data: JSON.stringify({ id: "a", stage: "download", progress: 55, speed: 10, eta: 3 }) });
    handleLiveEvent(qc, { type: "job", id: "3-0", data: JSON.stringify({ ...base, id: "b", status: "queued", created_at: "2025-01-01T11:00:00Z", updated_at: "2025-01-01T11:00:00Z" }) });
    const jobs = qc.getQueryData<JobList>(queryKeys.jobs.list())!;
    expect(jobs.items.map((j) => [j.id, j.status, j.progress ?? null])).toEqual([["b", "queued", null], ["a", "downloading", 55]]);

    handleLiveEvent(qc, { type: "library", id: "4-0", data: JSON.stringify({ type: "LibraryItemAdded", item_id: "x" }) });
    expect(qc.getQueryState(queryKeys.library.list({}))?.isInvalidated).toBe(true);
  });

  it("ignores malformed data and unknown kinds", () => {
    const qc = new QueryClient();
    expect(() => handleLiveEvent(qc, { type: "job", id: "1", data: "{not json" })).not.toThrow();
    expect(() => handleLiveEvent(qc, { type: "future-kind", id: "2", data: "{}" })).not.toThrow();
  });
});
