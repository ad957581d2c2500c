/**
 * Following submitted jobs until they end (service worker side).
 *
 * MV3 service workers are stopped when idle and lose their memory, so the jobs being
 * followed live in storage.local and a chrome.alarms alarm wakes the worker to poll
 * GET /api/jobs/{id}. While the worker is awake anyway (just after a submission), it
 * also polls every few seconds, so quick jobs are reported quickly.
 *
 * The worker is the only writer of the pending list; its read-modify-writes are
 * serialized, and only one poll runs at a time (so a job is never announced twice).
 */
import { getJob } from "./api";
import { loadConfig } from "./config";
import { describeFailure, type Failure, toFailure } from "./errors";
import { notify, setBadge } from "./notify";
import { addPending, type Finished, finishedFrom, partition, type PendingJob } from "./pending";
import { ext } from "./platform";

export const ALARM = "mf-poll-jobs";
const POLL_MINUTES = 0.5; // Chrome's shortest alarm period
const BURST_MS = 3_000;
const BURST_ROUNDS = 10;
const RECENT = 10;

let queue: Promise<unknown> = Promise.resolve();

function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

async function readPending(): Promise<PendingJob[]> {
  const { pendingJobs } = await ext.storage.local.get("pendingJobs");
  return Array.isArray(pendingJobs) ? (pendingJobs as PendingJob[]) : [];
}

export async function follow(job: PendingJob): Promise<void> {
  await serialized(async () => {
    await ext.storage.local.set({ pendingJobs: addPending(await readPending(), job) });
  });
  await ext.alarms.create(ALARM, { periodInMinutes: POLL_MINUTES });
  startBurst();
}

/** After a browser restart or an update: poll again if jobs are still followed. */
export async function resumeFollowing(): Promise<void> {
  if ((await readPending()).length > 0) await ext.alarms.create(ALARM, { periodInMinutes: POLL_MINUTES });
}

let polling: Promise<{ finished: Finished[]; left: number }> | null = null;

/** Look at every followed job once; announce and forget those that ended. */
export function pollJobs(): Promise<{ finished: Finished[]; left: number }> {
  polling ??= pollOnce().finally(() => {
    polling = null;
  });
  return polling;
}

async function pollOnce(): Promise<{ finished: Finished[]; left: number }> {
  const config = await loadConfig();
  const server = config.pairing ? config.server : null;
  const { poll, stale } = partition(await readPending(), { server, now: Date.now() });
  const gone = new Set(stale.map((j) => j.id));
  const finished: Finished[] = [];
  let revoked: Failure | null = null;
  for (const job of poll) {
    try {
      const ended = finishedFrom(await getJob(config, job.id));
      if (ended) {
        finished.push(ended);
        gone.add(job.id);
      }
    } catch (err) {
      const failure = toFailure(err);
      if (failure.kind === "http" && failure.status === 404) gone.add(job.id); // deleted
      if (failure.kind === "http" && failure.status === 401) {
        revoked = failure; // nothing can be followed with this token any more
        poll.forEach((j) => gone.add(j.id));
        break;
      }
      // unreachable, timeout, 5xx: the next poll tries again
    }
  }
  const left = await serialized(async () => {
    const list = (await readPending()).filter((j) => !gone.has(j.id));
    await ext.storage.local.set({ pendingJobs: list });
    return list.length;
  });
  for (const ended of finished) await announce(ended);
  if (revoked) await notify("mf-revoked", "MediaFetcher", describeFailure(revoked));
  if (left === 0) await ext.alarms.clear(ALARM);
  return { finished, left };
}

let burst: ReturnType<typeof setTimeout> | null = null;

function startBurst(rounds = BURST_ROUNDS): void {
  if (burst !== null) return;
  burst = setTimeout(async () => {
    burst = null;
    const { left } = await pollJobs().catch(() => ({ left: 1 }));
    if (left > 0 && rounds > 1) startBurst(rounds - 1);
  }, BURST_MS);
}

async function announce(ended: Finished): Promise<void> {
  const unseen = await serialized(async () => {
    const got = await ext.storage.local.get(["unseenFinished", "recentFinished"]);
    const count = (typeof got.unseenFinished === "number" ? got.unseenFinished : 0) + 1;
    const recent = [ended, ...(Array.isArray(got.recentFinished) ? got.recentFinished : [])].slice(0, RECENT);
    await ext.storage.local.set({ unseenFinished: count, recentFinished: recent });
    return count;
  });
  await setBadge(unseen, ended.ok);
  await notify(`mf-job-${ended.id}`, "MediaFetcher", ended.text);
}

/** The popup was opened: the finished jobs count as seen. */
export async function markSeen(): Promise<void> {
  await serialized(() => ext.storage.local.set({ unseenFinished: 0 }));
  await setBadge(0);
}
