/**
 * Keeping the jobs list current from live events, without refetching.
 *
 * Rules (pure functions, unit-tested):
 * - a `job` event carries a whole JobOut: it replaces the cached job unless the cached one is
 *   newer (`updated_at`), so an event replayed after a resume never rolls a job back;
 *   an unknown job is added at the top (the list is newest first);
 * - a `progress` event merges its fields into a running job; a finished job ignores it
 *   (a late progress must not reopen a job);
 * - a refetched list keeps any cached job that is newer than the fetched copy.
 */
import type { Job, JobList } from "@/lib/api";

export interface ProgressEvent {
  id: string;
  stage?: string | null;
  progress?: number | null;
  speed?: number | null;
  eta?: number | null;
  downloaded_bytes?: number | null;
  total_bytes?: number | null;
}

export const TERMINAL_STATUSES: ReadonlySet<Job["status"]> = new Set(["done", "failed", "cancelled"]);

export function isTerminal(job: Pick<Job, "status">): boolean {
  return TERMINAL_STATUSES.has(job.status);
}

function time(value: string | null | undefined): number {
  const t = value ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** True when `incoming` should replace `current` (same job). */
export function isNewer(incoming: Job, current: Job): boolean {
  if (isTerminal(current) && !isTerminal(incoming)) return false;
  return time(incoming.updated_at) >= time(current.updated_at);
}

export function upsertJob(list: JobList | undefined, job: Job): JobList | undefined {
  if (!list) return list;
  const index = list.items.findIndex((j) => j.id === job.id);
  if (index === -1) {
    const items = [job, ...list.items].sort((a, b) => time(b.created_at) - time(a.created_at));
    return { items, total: list.total + 1 };
  }
  if (!isNewer(job, list.items[index])) return list;
  const items = list.items.slice();
  items[index] = job;
  return { ...list, items };
}

export function mergeProgress(list: JobList | undefined, p: ProgressEvent): JobList | undefined {
  if (!list) return list;
  const index = list.items.findIndex((j) => j.id === p.id);
  if (index === -1 || isTerminal(list.items[index])) return list;
  const current = list.items[index];
  const next: Job = { ...current };
  for (const key of ["stage", "progress", "speed", "eta", "downloaded_bytes", "total_bytes"] as const) {
    if (key in p) (next as Record<string, unknown>)[key] = p[key] ?? null;
  }
  const items = list.items.slice();
  items[index] = next;
  return { ...list, items };
}

/** A fetched list, with cached jobs that are newer (live events that beat the fetch) kept. */
export function reconcileJobs(cached: JobList | undefined, fetched: JobList): JobList {
  if (!cached) return fetched;
  const byId = new Map(cached.items.map((j) => [j.id, j]));
  const items = fetched.items.map((j) => {
    const c = byId.get(j.id);
    return c && time(c.updated_at) > time(j.updated_at) ? c : j;
  });
  return { ...fetched, items };
}
