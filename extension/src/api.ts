/**
 * Calls to the MediaFetcher gateway with the extension token.
 *
 * The gateway is reached over CORS: it must list this extension's origin in
 * MF_EXTENSION_ORIGINS. A browser reports a refused CORS request and a dead server the
 * same way (a TypeError), so after a failed request a second, `no-cors` request tells
 * the two apart: if the server answers that one, it is up and CORS is the problem.
 */
import type { Config, Pairing } from "./config";
import { type Action, FailureError } from "./errors";
import { extensionOrigin } from "./platform";

export const TIMEOUT_MS = 20_000;

export interface JobOut {
  id: string;
  url: string;
  status: string;
  title?: string | null;
  error?: string | null;
  item_id?: string | null;
}

export interface JarSummary {
  site: string;
  count: number;
  earliest_expiry?: string | null;
}

export interface TokenCreated {
  token: string;
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
}

interface Call {
  server: string;
  action: Action;
  method?: "GET" | "POST" | "DELETE";
  token?: string;
  body?: unknown;
}

export async function call<T>(path: string, { server, action, method = "GET", token, body }: Call): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let resp: Response;
  try {
    resp = await fetch(server + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", // the token is the only credential; no cookies to the server
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "TimeoutError") {
      throw new FailureError({ kind: "timeout", server });
    }
    throw new FailureError(await diagnose(server));
  }
  if (!resp.ok) {
    throw new FailureError({ kind: "http", action, status: resp.status, detail: await detailOf(resp), server });
  }
  return (resp.status === 204 ? undefined : await resp.json()) as T;
}

/** After a fetch that threw: is the server down, or up but refusing us by CORS? */
export async function diagnose(server: string) {
  try {
    await fetch(`${server}/healthz`, {
      mode: "no-cors", credentials: "omit", cache: "no-store", signal: AbortSignal.timeout(5_000),
    });
    return { kind: "cors", server, origin: extensionOrigin() } as const;
  } catch {
    return { kind: "unreachable", server } as const;
  }
}

export async function detailOf(resp: Response): Promise<string> {
  const text = await resp.text().catch(() => "");
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail === "string" && detail) return detail;
    if (Array.isArray(detail)) return detail.map((d) => (d as { msg?: string }).msg ?? String(d)).join("; ");
  } catch {
    // not JSON: a proxy's error page, say
  }
  const plain = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return plain.slice(0, 200) || resp.statusText || "no details";
}

/** The server and token, or the reason there are none. */
export function credentials(config: Config): { server: string; pairing: Pairing } {
  if (!config.server) throw new FailureError({ kind: "no-server" });
  if (!config.pairing) throw new FailureError({ kind: "not-paired" });
  return { server: config.server, pairing: config.pairing };
}

export async function submitJob(config: Config, url: string): Promise<JobOut> {
  const { server, pairing } = credentials(config);
  return call<JobOut>("/api/jobs", { server, action: "submit", method: "POST", token: pairing.token, body: { url } });
}

export async function getJob(config: Config, id: string): Promise<JobOut> {
  const { server, pairing } = credentials(config);
  return call<JobOut>(`/api/jobs/${encodeURIComponent(id)}`, { server, action: "poll", token: pairing.token });
}

export async function sendCookies(config: Config, cookies: chrome.cookies.Cookie[]): Promise<JarSummary[]> {
  const { server, pairing } = credentials(config);
  const resp = await call<{ sites: JarSummary[] }>("/api/cookies", {
    server, action: "cookies", method: "POST", token: pairing.token, body: { cookies },
  });
  return resp.sites;
}

export async function exchangeCode(server: string, code: string, name: string): Promise<TokenCreated> {
  return call<TokenCreated>("/api/extension/token", { server, action: "pair", method: "POST", body: { code, name } });
}
