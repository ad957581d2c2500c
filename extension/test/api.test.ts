import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Config } from "../src/config";
import { FailureError } from "../src/errors";

// platform.ts reads the extension API at import: give it the little the code uses.
beforeEach(() => {
  vi.stubGlobal("chrome", { runtime: { getURL: (p: string) => `chrome-extension://testid/${p}` } });
});
afterEach(() => vi.unstubAllGlobals());

const api = () => import("../src/api");
const paired: Config = {
  server: "http://mf.lan:8080",
  pairing: { token: "mfx_abcd1234_s3cret", id: "t1", name: "n", prefix: "abcd1234", scopes: ["submit"],
    server: "http://mf.lan:8080", pairedAt: "2026-01-01T00:00:00Z" },
};

async function failureOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FailureError);
    return (err as FailureError).failure;
  }
  throw new Error("expected a failure");
}

describe("api.call", () => {
  it("sends the token as a bearer header, JSON body, no cookies", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ id: "j1", url: "u", status: "queued" }), { status: 202 }));
    vi.stubGlobal("fetch", fetch);
    const { submitJob } = await api();
    expect((await submitJob(paired, "https://example.org/v")).id).toBe("j1");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://mf.lan:8080/api/jobs");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("omit");
    expect((init.headers as Record<string, string>).authorization).toBe("Bearer mfx_abcd1234_s3cret");
    expect(JSON.parse(init.body as string)).toEqual({ url: "https://example.org/v" });
  });

  it("turns an error response into status + the server's detail", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(
      JSON.stringify({ detail: "extension token is invalid or was revoked" }), { status: 401 })));
    const { submitJob } = await api();
    expect(await failureOf(submitJob(paired, "https://example.org/v"))).toEqual({
      kind: "http", action: "submit", status: 401, detail: "extension token is invalid or was revoked",
      server: "http://mf.lan:8080",
    });
  });

  it("a non-JSON error page gives its text", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html><h1>502 Bad Gateway</h1></html>", { status: 502 })));
    const { getJob } = await api();
    const f = await failureOf(getJob(paired, "j1"));
    expect(f).toMatchObject({ status: 502, detail: "502 Bad Gateway" });
  });

  it("a failed fetch whose no-cors probe works is CORS, with this extension's origin", async () => {
    vi.stubGlobal("fetch", vi.fn(async (_url: string, init: RequestInit) => {
      if (init.mode === "no-cors") return new Response(null, { status: 200 });
      throw new TypeError("Failed to fetch");
    }));
    const { submitJob } = await api();
    expect(await failureOf(submitJob(paired, "https://example.org/v"))).toEqual({
      kind: "cors", server: "http://mf.lan:8080", origin: "chrome-extension://testid",
    });
  });

  it("a failed fetch whose probe fails too is an unreachable server", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    }));
    const { getJob } = await api();
    expect(await failureOf(getJob(paired, "j1"))).toEqual({ kind: "unreachable", server: "http://mf.lan:8080" });
  });

  it("refuses before any request when not paired or no server", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const { submitJob, sendCookies } = await api();
    expect(await failureOf(submitJob({ server: "http://mf.lan", pairing: null }, "https://x/"))).toEqual({ kind: "not-paired" });
    expect(await failureOf(sendCookies({ server: null, pairing: null }, []))).toEqual({ kind: "no-server" });
    expect(fetch).not.toHaveBeenCalled();
  });
});
