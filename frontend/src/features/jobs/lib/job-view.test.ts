import { describe, expect, it } from "vitest";
import type { Job } from "@/lib/api";
import { describeJob, phaseOf, stepStates } from "./job-view";

function job(over: Partial<Job>): Job {
  return { id: "j", url: "https://e.com/v", origin: "web", status: "queued", created_at: "", updated_at: "", ...over } as Job;
}

describe("describeJob", () => {
  it("shows download percent, bytes, speed and ETA", () => {
    const v = describeJob(job({ status: "downloading", stage: "download", progress: 42.123, downloaded_bytes: 4 * 1024 ** 2, total_bytes: 10 * 1024 ** 2, speed: 1024 ** 2, eta: 6 }));
    expect(v).toMatchObject({ phase: "download", label: "Downloading", percent: 42.123, active: true });
    expect(v.detail).toBe("4 MB of 10 MB · 1 MB/s · 6 s left");
  });

  it("is indeterminate before the first progress of a stage", () => {
    expect(describeJob(job({ status: "downloading" })).percent).toBeNull();
    expect(describeJob(job({ status: "transcoding", stage: "transcode", progress: null })).percent).toBeNull();
  });

  it("names what the transcoder does and shows its percent", () => {
    const v = describeJob(job({ status: "transcoding", stage: "transcode", progress: 30, action: "transcode" }));
    expect(v).toMatchObject({ phase: "transcode", label: "Converting to H.264/AAC", percent: 30 });
  });

  it("follows a progress stage that is ahead of the status", () => {
    expect(phaseOf(job({ status: "downloading", stage: "transcode" }))).toBe("transcode");
    expect(phaseOf(job({ status: "storing", stage: "download" }))).toBe("store");
    expect(phaseOf(job({ status: "done", stage: "store" }))).toBe("done");
  });

  it("shows the reason of a failure", () => {
    expect(describeJob(job({ status: "failed", error: "HTTP Error 404: Not Found" }))).toMatchObject({ phase: "failed", detail: "HTTP Error 404: Not Found", active: false });
    expect(describeJob(job({ status: "done" }))).toMatchObject({ label: "Ready", active: false });
  });

  it("clamps odd percentages", () => {
    expect(describeJob(job({ status: "downloading", stage: "download", progress: 104 })).percent).toBe(100);
  });
});

describe("stepStates", () => {
  it("marks steps done, current and upcoming", () => {
    expect(stepStates("queued")).toEqual(["upcoming", "upcoming", "upcoming"]);
    expect(stepStates("download")).toEqual(["current", "upcoming", "upcoming"]);
    expect(stepStates("store")).toEqual(["done", "done", "current"]);
    expect(stepStates("done")).toEqual(["done", "done", "done"]);
  });
});
