/**
 * What the dashboard shows for a job: its phase, the bar (percent or indeterminate) and the
 * detail line (bytes, speed, ETA). Pure: unit-tested.
 */
import { clampPercent, formatBytes, formatEta, formatSpeed } from "@/lib/format";
import type { Job } from "@/lib/api";

export type Phase = "queued" | "download" | "transcode" | "store" | "done" | "failed" | "cancelled";

export const STEPS: { phase: Phase; label: string }[] = [
  { phase: "download", label: "Download" },
  { phase: "transcode", label: "Process" },
  { phase: "store", label: "Save" },
];

const RANK: Record<string, number> = { queued: 0, download: 1, transcode: 2, store: 3 };
const STATUS_PHASE: Record<Job["status"], Phase> = {
  queued: "queued",
  downloading: "download",
  transcoding: "transcode",
  storing: "store",
  done: "done",
  failed: "failed",
  cancelled: "cancelled",
};

const ACTION_LABEL: Record<string, string> = {
  keep: "Checking the file",
  faststart: "Optimising for streaming",
  remux: "Repackaging as MP4",
  transcode: "Converting to H.264/AAC",
};

export interface JobView {
  phase: Phase;
  label: string;
  /** 0..100, or null for an indeterminate bar; undefined when no bar is shown. */
  percent: number | null | undefined;
  detail: string;
  active: boolean;
}

/** The running phase: the status, or a later stage that progress events already report. */
export function phaseOf(job: Pick<Job, "status" | "stage">): Phase {
  const fromStatus = STATUS_PHASE[job.status] ?? "queued";
  if (!(fromStatus in RANK)) return fromStatus; // finished
  const fromStage = job.stage && job.stage in RANK ? (job.stage as Phase) : fromStatus;
  return RANK[fromStage] > RANK[fromStatus] ? fromStage : fromStatus;
}

export function describeJob(job: Job): JobView {
  const phase = phaseOf(job);
  const stageMatches = job.stage === phase;
  const percent = stageMatches ? clampPercent(job.progress) : null;
  switch (phase) {
    case "queued":
      return { phase, label: "Waiting to start", percent: null, detail: "", active: true };
    case "download":
      return { phase, label: "Downloading", percent, detail: downloadDetail(job, stageMatches), active: true };
    case "transcode":
      return {
        phase,
        label: (job.action && ACTION_LABEL[job.action]) || "Processing for playback",
        percent,
        detail: stageMatches && job.eta != null ? formatEta(job.eta) : "",
        active: true,
      };
    case "store":
      return { phase, label: "Saving to your library", percent: null, detail: "", active: true };
    case "done":
      return { phase, label: "Ready", percent: undefined, detail: "", active: false };
    case "failed":
      return { phase, label: "Failed", percent: undefined, detail: job.error ?? "The job failed.", active: false };
    case "cancelled":
      return { phase, label: "Cancelled", percent: undefined, detail: job.error ?? "", active: false };
  }
}

function downloadDetail(job: Job, live: boolean): string {
  if (!live) return "";
  const parts: string[] = [];
  if (job.downloaded_bytes != null) {
    parts.push(job.total_bytes ? `${formatBytes(job.downloaded_bytes)} of ${formatBytes(job.total_bytes)}` : formatBytes(job.downloaded_bytes));
  }
  if (job.speed) parts.push(formatSpeed(job.speed));
  if (job.eta != null) parts.push(formatEta(job.eta));
  return parts.join(" · ");
}

/** Each step's state for the stepper: done, current or upcoming. */
export function stepStates(phase: Phase): ("done" | "current" | "upcoming")[] {
  if (phase === "done") return STEPS.map(() => "done");
  const rank = RANK[phase] ?? 0;
  return STEPS.map((s) => (RANK[s.phase] < rank ? "done" : RANK[s.phase] === rank ? "current" : "upcoming"));
}
