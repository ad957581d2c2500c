/**
 * The service worker's job following, against an in-memory `chrome` (storage, alarms,
 * badge, notifications) and a fake gateway: what is kept, announced and forgotten.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const SERVER = "http://mf.lan:8080";
type Jobs = Record<string, { status?: number; body?: object; down?: boolean }>;

function fakeBrowser() {
  const store: Record<string, unknown> = {
    server: SERVER,
    pairing: { token: "mfx_abcd1234_x", id: "t", name: "n", prefix: "abcd1234", scopes: ["submit"], server: SERVER, pairedAt: "" },
  };
  const seen = { notifications: [] as { id: string; message: string }[], badge: [] as string[], alarms: new Set<string>() };
  const chrome = {
    runtime: { id: "ext", getURL: (p: string) => `chrome-extension://ext/${p}` },
    storage: {
      local: {
        get: async (keys: string | string[]) => Object.fromEntries([keys].flat().filter((k) => k in store)
          .map((k) => [k, structuredClone(store[k])])),
        set: async (items: Record<string, unknown>) => void Object.assign(store, structuredClone(items)),
        remove: async (keys: string | string[]) => [keys].flat().forEach((k) => delete store[k]),
      },
    },
    alarms: {
      create: async (name: string) => void seen.alarms.add(name),
      clear: async (name: string) => seen.alarms.delete(name),
    },
    notifications: {
      create: async (id: string, o: { message: string }) => void seen.notifications.push({ id, message: o.message }),
    },
    action: {
      setBadgeText: async ({ text }: { text: string }) => void seen.badge.push(text),
      setBadgeBackgroundColor: async () => undefined,
    },
  };
  return { chrome, store, seen };
}

function gateway(jobs: Jobs) {
  return vi.fn(async (url: string, init?: RequestInit) => {
    if (init?.mode === "no-cors") throw new TypeError("down");
    const id = url.split("/").pop()!;
    const job = jobs[id] ?? { status: 404, body: { detail: "no such job" } };
    if (job.down) throw new TypeError("Failed to fetch");
    return new Response(JSON.stringify(job.body ?? {}), { status: job.status ?? 200 });
  });
}

const running = (id: string) => ({ body: { id, url: `https://v/${id}`, status: "downloading" } });
const done = (id: string, title: string) => ({ body: { id, url: `https://v/${id}`, status: "done", title } });

let env: ReturnType<typeof fakeBrowser>;
async function load() {
  vi.resetModules();
  env = fakeBrowser();
  vi.stubGlobal("chrome", env.chrome);
  return import("../src/follow");
}

beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout"] })); // no stray burst polls
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("following submitted jobs", () => {
  it("announces a finished job once, keeps the running one, clears the alarm when none is left", async () => {
    const { follow, pollJobs, ALARM } = await load();
    await follow({ id: "a", url: "https://v/a", server: SERVER, since: Date.now() });
    await follow({ id: "b", url: "https://v/b", server: SERVER, since: Date.now() });
    expect(env.seen.alarms.has(ALARM)).toBe(true);

    vi.stubGlobal("fetch", gateway({ a: done("a", "A film"), b: running("b") }));
    expect((await pollJobs()).finished.map((f) => f.text)).toEqual(["Done: A film"]);
    expect((env.store.pendingJobs as { id: string }[]).map((j) => j.id)).toEqual(["b"]);
    expect(env.seen.badge.at(-1)).toBe("1");
    expect(env.seen.notifications).toEqual([{ id: "mf-job-a", message: "Done: A film" }]);
    expect(env.seen.alarms.has(ALARM)).toBe(true);

    vi.stubGlobal("fetch", gateway({
      b: { body: { id: "b", url: "https://v/b", status: "failed", error: "HTTP Error 403: Forbidden" } },
    }));
    const { finished, left } = await pollJobs();
    expect(finished[0].text).toBe("Failed: HTTP Error 403: Forbidden (https://v/b)");
    expect(left).toBe(0);
    expect(env.seen.badge.at(-1)).toBe("2");
    expect((env.store.recentFinished as { id: string }[]).map((f) => f.id)).toEqual(["b", "a"]);
    expect(env.seen.alarms.has(ALARM)).toBe(false);
    expect((await pollJobs()).finished).toEqual([]); // nothing announced twice
  });

  it("forgets deleted jobs, keeps jobs while the server is unreachable", async () => {
    const { follow, pollJobs } = await load();
    await follow({ id: "gone", url: "u", server: SERVER, since: Date.now() });
    await follow({ id: "later", url: "u", server: SERVER, since: Date.now() });
    vi.stubGlobal("fetch", gateway({ later: { down: true } }));
    expect(await pollJobs()).toEqual({ finished: [], left: 1 });
    expect((env.store.pendingJobs as { id: string }[]).map((j) => j.id)).toEqual(["later"]);
    expect(env.seen.notifications).toEqual([]);
  });

  it("a revoked token stops all following and says so once", async () => {
    const { follow, pollJobs } = await load();
    await follow({ id: "a", url: "u", server: SERVER, since: Date.now() });
    await follow({ id: "b", url: "u", server: SERVER, since: Date.now() });
    const revoked = { status: 401, body: { detail: "extension token is invalid or was revoked" } };
    vi.stubGlobal("fetch", gateway({ a: revoked, b: revoked }));
    expect(await pollJobs()).toEqual({ finished: [], left: 0 });
    expect(env.seen.notifications).toHaveLength(1);
    expect(env.seen.notifications[0].message).toMatch(/revoked/);
  });

  it("jobs of another server, or followed when unpaired, are dropped without a request", async () => {
    const { follow, pollJobs } = await load();
    await follow({ id: "elsewhere", url: "u", server: "http://old.lan", since: Date.now() });
    const fetch = gateway({});
    vi.stubGlobal("fetch", fetch);
    expect(await pollJobs()).toEqual({ finished: [], left: 0 });
    expect(fetch).not.toHaveBeenCalled();

    await follow({ id: "a", url: "u", server: SERVER, since: Date.now() });
    delete env.store.pairing;
    expect(await pollJobs()).toEqual({ finished: [], left: 0 });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("the popup opening resets the badge", async () => {
    const { follow, pollJobs, markSeen } = await load();
    await follow({ id: "a", url: "u", server: SERVER, since: Date.now() });
    vi.stubGlobal("fetch", gateway({ a: done("a", "T") }));
    await pollJobs();
    await markSeen();
    expect(env.seen.badge.at(-1)).toBe("");
    expect(env.store.unseenFinished).toBe(0);
  });
});
