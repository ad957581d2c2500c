import { describe, expect, it, vi } from "vitest";
import { Session, createAuthFetch, refreshAt } from "./session";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function clockRig() {
  let now = 1_000_000;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let seq = 0;
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      const id = ++seq;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i !== -1) timers.splice(i, 1);
    },
    /** Move the clock; fire due timers. */
    advance: async (ms: number) => {
      now += ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        if (!timers.length || timers[0].at > now) break;
        timers.shift()!.fn();
        await new Promise((r) => setTimeout(r, 0));
      }
    },
    pending: () => timers.map((t) => t.at - now),
  };
}

describe("refreshAt", () => {
  it("refreshes a minute before expiry, never before half-life", () => {
    expect(refreshAt(0, 900_000)).toBe(840_000); // 15 min token: at 14 min
    expect(refreshAt(0, 120_000)).toBe(90_000); // 2 min: a quarter before the end
    expect(refreshAt(0, 10_000, 60_000)).toBe(7_500);
    expect(refreshAt(500, 900_000, 600_000)).toBe(500 + 675_000); // lead capped at ttl/4
  });
});

describe("Session", () => {
  it("schedules the refresh before expiry and keeps refreshing without the user noticing", async () => {
    const clock = clockRig();
    let n = 0;
    const fetchMock = vi.fn(async () => json({ access_token: `t${++n}`, token_type: "bearer", expires_in: 900 }));
    const s = new Session({ fetch: fetchMock as unknown as typeof fetch, ...clock });
    s.accept({ access_token: "t0", expires_in: 900 });
    expect(clock.pending()).toEqual([840_000]);
    await clock.advance(839_999);
    expect(fetchMock).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]).toEqual(["/api/auth/refresh", { method: "POST", credentials: "same-origin" }]);
    expect(s.token).toBe("t1");
    await clock.advance(840_000);
    expect(s.token).toBe("t2");
  });

  it("shares one refresh between concurrent callers (the cookie rotates on use)", async () => {
    let resolve!: (r: Response) => void;
    const fetchMock = vi.fn(() => new Promise<Response>((r) => (resolve = r)));
    const s = new Session({ fetch: fetchMock as unknown as typeof fetch, setTimeout: () => 0, clearTimeout: () => undefined });
    const a = s.refresh();
    const b = s.refresh();
    resolve(json({ access_token: "new", expires_in: 900 }));
    expect(await Promise.all([a, b])).toEqual([true, true]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("runs the refresh inside the cross-tab lock", async () => {
    const order: string[] = [];
    const lock = async <T,>(name: string, fn: () => Promise<T>): Promise<T> => {
      order.push(`lock:${name}`);
      const r = await fn();
      order.push("unlock");
      return r;
    };
    const fetchMock = vi.fn(async () => {
      order.push("fetch");
      return json({ access_token: "x", expires_in: 900 });
    });
    const s = new Session({ fetch: fetchMock as unknown as typeof fetch, lock, setTimeout: () => 0, clearTimeout: () => undefined });
    await s.refresh();
    expect(order).toEqual(["lock:mf-session-refresh", "fetch", "unlock"]);
  });

  it("ends the session on a refused refresh, and says so only if there was one", async () => {
    const onExpired = vi.fn();
    const s = new Session({ fetch: (async () => json({ detail: "session expired" }, 401)) as unknown as typeof fetch, onExpired, setTimeout: () => 0, clearTimeout: () => undefined });
    expect(await s.refresh()).toBe(false); // start-up without a cookie: quietly signed out
    expect(onExpired).not.toHaveBeenCalled();
    s.accept({ access_token: "t", expires_in: 900 });
    expect(await s.refresh()).toBe(false);
    expect(onExpired).toHaveBeenCalledOnce();
    expect(s.token).toBeNull();
  });

  it("keeps the token through a network failure and tries again soon", async () => {
    const clock = clockRig();
    const fetchMock = vi.fn().mockRejectedValueOnce(new TypeError("offline")).mockResolvedValue(json({ access_token: "t2", expires_in: 900 }));
    const s = new Session({ fetch: fetchMock as unknown as typeof fetch, retryMs: 15_000, ...clock });
    s.accept({ access_token: "t1", expires_in: 900 });
    await clock.advance(840_000);
    expect(s.token).toBe("t1");
    expect(clock.pending()).toEqual([15_000]);
    await clock.advance(15_000);
    expect(s.token).toBe("t2");
  });

  it("ensureFresh refreshes a token that a sleeping timer let go stale", async () => {
    const clock = clockRig();
    const fetchMock = vi.fn(async () => json({ access_token: "fresh", expires_in: 900 }));
    const s = new Session({ fetch: fetchMock as unknown as typeof fetch, ...clock, setTimeout: () => 0 });
    s.accept({ access_token: "old", expires_in: 900 });
    expect(await s.ensureFresh()).toBe(true);
    expect(fetchMock).not.toHaveBeenCalled();
    await clock.advance(895_000); // within the 10 s margin
    expect(await s.ensureFresh()).toBe(true);
    expect(s.token).toBe("fresh");
  });
});

describe("createAuthFetch", () => {
  function sessionWith(token: string, refreshTo: string | null) {
    const s = new Session({ setTimeout: () => 0, clearTimeout: () => undefined });
    s.accept({ access_token: token, expires_in: 900 });
    vi.spyOn(s, "refresh").mockImplementation(async () => {
      if (refreshTo === null) return false;
      s.accept({ access_token: refreshTo, expires_in: 900 });
      return true;
    });
    return s;
  }

  it("adds the bearer token", async () => {
    const base = vi.fn(async (_r: Request) => json({ ok: true }));
    const f = createAuthFetch(sessionWith("abc", null), base as unknown as typeof fetch);
    await f("http://h/api/jobs");
    expect((base.mock.calls[0][0] as Request).headers.get("authorization")).toBe("Bearer abc");
  });

  it("on 401 refreshes once and retries the same request (body included) with the new token", async () => {
    const seen: { auth: string | null; body: string }[] = [];
    const base = vi.fn(async (r: Request) => {
      seen.push({ auth: r.headers.get("authorization"), body: await r.text() });
      return seen.length === 1 ? json({ detail: "invalid or expired token" }, 401) : json({ id: "j" }, 202);
    });
    const s = sessionWith("old", "new");
    const f = createAuthFetch(s, base as unknown as typeof fetch);
    const res = await f("http://h/api/jobs", { method: "POST", body: JSON.stringify({ url: "https://x" }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(202);
    expect(seen).toEqual([
      { auth: "Bearer old", body: '{"url":"https://x"}' },
      { auth: "Bearer new", body: '{"url":"https://x"}' },
    ]);
    expect(s.refresh).toHaveBeenCalledOnce();
  });

  it("returns the 401 when the refresh fails, without a second try", async () => {
    const base = vi.fn(async () => json({ detail: "nope" }, 401));
    const f = createAuthFetch(sessionWith("old", null), base as unknown as typeof fetch);
    expect((await f("http://h/api/library")).status).toBe(401);
    expect(base).toHaveBeenCalledTimes(1);
  });

  it("never refresh-and-retries the session endpoints themselves", async () => {
    const base = vi.fn(async () => json({ detail: "wrong username or password" }, 401));
    const s = sessionWith("old", "new");
    const f = createAuthFetch(s, base as unknown as typeof fetch);
    expect((await f("http://h/api/auth/login", { method: "POST", body: "{}" })).status).toBe(401);
    expect(s.refresh).not.toHaveBeenCalled();
  });
});
