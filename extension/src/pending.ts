/**
 * Bookkeeping of the jobs this browser submitted and still follows. Pure functions over
 * plain data: the service worker keeps the list in storage.local (it is stopped when
 * idle and loses its memory) and polls each job until it ends.
 *
 * Invariants: a job id appears at most once; the list holds at most MAX_PENDING jobs
 * (the oldest go first); a job is followed at most GIVE_UP_MS, after which it is
 * dropped silently (the web app still shows it); a job is only ever polled on the
 * server it was submitted to.
 */
export const TERMINAL = new Set(["done", "failed", "cancelled"]);
export const MAX_PENDING = 50;
export const GIVE_UP_MS = 24 * 3600 * 1000;

export interface PendingJob {
  id: string;
  url: string;
  server: string;
  since: number; // ms since 1970, when it was submitted
}

export interface JobSnapshot {
  id: string;
  url: string;
  status: string;
  title?: string | null;
  error?: string | null;
}

export interface Finished {
  id: string;
  ok: boolean;
  status: string;
  /** "Done: <title>" or "Failed: <reason>" */
  text: string;
}

export function addPending(list: readonly PendingJob[], job: PendingJob): PendingJob[] {
  const rest = list.filter((j) => j.id !== job.id);
  return [...rest, job].slice(-MAX_PENDING);
}

export function dropPending(list: readonly PendingJob[], id: string): PendingJob[] {
  return list.filter((j) => j.id !== id);
}

/** Jobs to poll now on `server`; jobs of another server or too old are returned apart. */
export function partition(list: readonly PendingJob[], { server, now }: { server: string | null; now: number }) {
  const poll: PendingJob[] = [];
  const stale: PendingJob[] = [];
  for (const job of list) {
    (job.server === server && now - job.since < GIVE_UP_MS ? poll : stale).push(job);
  }
  return { poll, stale };
}

/** What a fresh look at a job means: still running (null), or finished (remove it). */
export function finishedFrom(snapshot: JobSnapshot): Finished | null {
  if (!TERMINAL.has(snapshot.status)) return null;
  const ok = snapshot.status === "done";
  const name = snapshot.title?.trim() || snapshot.url;
  let text: string;
  if (ok) text = `Done: ${name}`;
  else if (snapshot.status === "cancelled") text = `Cancelled: ${name}`;
  else text = `Failed: ${snapshot.error?.trim() || "no reason given"} (${name})`;
  return { id: snapshot.id, ok, status: snapshot.status, text };
}

/** The badge after some jobs finished: a count of those not yet looked at. */
export function badgeFor(unseen: number): { text: string } {
  return { text: unseen > 0 ? String(Math.min(unseen, 99)) : "" };
}
