import { describe, expect, it, vi } from "vitest";
import { EventStream, backoffDelay } from "./event-stream";

/** A response whose body yields the given chunks, then ends (or errors: a dropped link). */
function streamResponse(chunks: string[], { fail = false, status = 200 } = {}): Response {
  const enc = new TextEncoder();
  const queue = chunks.slice();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next !== undefined) controller.enqueue(enc.encode(next));
      else if (fail) controller.error(new TypeError("network error")); // erroring drops queued chunks: only after they were read
      else controller.close();
    },
  });
  return new Response(body, { status, headers: { "content-type": "text/event-stream" } });
}

function rig(responses: (() => Response | Promise<Response>)[], extra: Partial<ConstructorParameters<typeof EventStream>[0]> = {}) {
  const calls: { headers: Record<string, string> }[] = [];
  const events: { type: string; id: string; data: string }[] = [];
  const opens: boolean[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let token = "t1";
  const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ headers: { ...(init?.headers as Record<string, string>) } });
    const next = responses.shift();
    if (!next) return new Promise<Response>(() => undefined); // hang: stays "connected"
    return next();
  });
  const stream = new EventStream({
    url: "/api/events",
    getToken: () => token,
    refresh: vi.fn(async () => {
      token = "t2";
      return true;
    }),
    onEvent: (e) => events.push(e),
    onOpen: ({ resumed }) => opens.push(resumed),
    fetch: fetchMock as unknown as typeof fetch,
    setTimeout: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimeout: () => undefined,
    random: () => 0.5,
    ...extra,
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const runTimer = async () => {
    const t = timers.shift();
    t?.fn();
    for (let i = 0; i < 5; i++) await flush();
    return t?.ms;
  };
  return { stream, calls, events, opens, timers, runTimer, flush, fetchMock, setToken: (t: string) => (token = t) };
}

async function settle() {
  for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0));
}

describe("backoffDelay", () => {
  it("doubles per attempt with bounded jitter and a cap", () => {
    const mid = () => 0.5;
    expect(backoffDelay(0, { base: 1000, random: mid })).toBe(1000);
    expect(backoffDelay(3, { base: 1000, random: mid })).toBe(8000);
    expect(backoffDelay(20, { base: 1000, max: 30_000, random: mid })).toBe(30_000);
    expect(backoffDelay(2, { base: 1000, random: () => 0 })).toBe(3200);
    expect(backoffDelay(2, { base: 1000, random: () => 1 })).toBe(4800);
  });
});

describe("EventStream", () => {
  it("sends the bearer token and delivers events in order", async () => {
    const r = rig([() => streamResponse(["retry: 3000\n\nid: 1-0\nevent: job\ndata: {}\n\n", "id: 2-0\nevent: progress\ndata: {}\n\n"])]);
    r.stream.start();
    await settle();
    expect(r.calls[0].headers.Authorization).toBe("Bearer t1");
    expect(r.calls[0].headers["Last-Event-ID"]).toBeUndefined();
    expect(r.events.map((e) => [e.type, e.id])).toEqual([["job", "1-0"], ["progress", "2-0"]]);
    expect(r.opens).toEqual([false]);
    expect(r.stream.lastEventId).toBe("2-0");
  });

  it("resumes after a drop with Last-Event-ID = the last event delivered, not a half one", async () => {
    const r = rig([
      () => streamResponse(["id: 1-0\nevent: job\ndata: {\"a\":1}\n\nid: 2-0\nevent: job\ndata: {\"a\""], { fail: true }),
      () => streamResponse(["id: 2-0\nevent: job\ndata: {\"a\":2}\n\n"]),
    ]);
    r.stream.start();
    await settle();
    expect(r.events.map((e) => e.id)).toEqual(["1-0"]);
    expect(r.stream.status).toBe("reconnecting");
    await r.runTimer();
    expect(r.calls[1].headers["Last-Event-ID"]).toBe("1-0");
    expect(r.events.map((e) => [e.id, e.data])).toEqual([["1-0", '{"a":1}'], ["2-0", '{"a":2}']]);
    expect(r.opens).toEqual([false, true]);
  });

  it("uses the server's retry after a clean end, and backoff after failures", async () => {
    const r = rig([
      () => streamResponse(["retry: 3000\n\nid: 1\ndata: x\n\n"]),
      () => Promise.reject(new TypeError("offline")),
      () => Promise.reject(new TypeError("offline")),
    ]);
    r.stream.start();
    await settle();
    expect(await r.runTimer()).toBe(3000); // clean end: the server's retry
    expect(await r.runTimer()).toBe(2000); // first failure after it: base·2^1
    expect(r.timers[0].ms).toBe(4000);
  });

  it("on 401 refreshes once and reconnects with the new token", async () => {
    const r = rig([() => new Response("", { status: 401 }), () => streamResponse(["id: 1\ndata: x\n\n"])]);
    r.stream.start();
    await settle();
    expect(r.calls.map((c) => c.headers.Authorization)).toEqual(["Bearer t1", "Bearer t2"]);
    expect(r.events).toHaveLength(1);
  });

  it("stops and reports when the session cannot be refreshed", async () => {
    const onUnauthorized = vi.fn();
    const r = rig([() => new Response("", { status: 401 }), () => new Response("", { status: 401 })], { onUnauthorized });
    r.stream.start();
    await settle();
    expect(onUnauthorized).toHaveBeenCalledOnce();
    expect(r.stream.status).toBe("closed");
    expect(r.timers).toHaveLength(0);
  });

  it("starts fresh (resumed: false) when the server no longer knows the id", async () => {
    const r = rig([
      () => streamResponse(["id: 9-0\ndata: x\n\n"]),
      () => new Response('{"detail":"Last-Event-ID is not an event id from this server"}', { status: 422 }),
      () => streamResponse(["id: 10-0\ndata: y\n\n"]),
    ]);
    r.stream.start();
    await settle();
    await r.runTimer();
    expect(r.calls[1].headers["Last-Event-ID"]).toBe("9-0");
    expect(r.calls[2].headers["Last-Event-ID"]).toBeUndefined();
    expect(r.opens).toEqual([false, false]);
    expect(r.stream.lastEventId).toBe("10-0");
  });

  it("stop() aborts the connection and schedules nothing", async () => {
    const r = rig([]);
    r.stream.start();
    await settle();
    r.stream.stop();
    await settle();
    expect(r.timers).toHaveLength(0);
    expect(r.stream.status).toBe("closed");
  });

  it("keeps streaming when a handler throws", async () => {
    const seen: string[] = [];
    const r = rig([() => streamResponse(["id: 1\ndata: a\n\nid: 2\ndata: b\n\n"])], {
      onEvent: (e) => {
        seen.push(e.id);
        if (e.id === "1") throw new Error("bad handler");
      },
    });
    r.stream.start();
    await settle();
    expect(seen).toEqual(["1", "2"]);
    expect(r.stream.lastEventId).toBe("2");
  });
});
