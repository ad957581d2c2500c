/**
 * The typed API client: openapi-fetch over the gateway's generated OpenAPI types, with the
 * session's fetch (bearer token, refresh before expiry, one refresh-and-retry on 401).
 */
import createClient from "openapi-fetch";
import type { components, paths } from "@/api/schema";
import { useAuthStore } from "@/stores/auth";
import { apiError } from "./errors";
import { Session, createAuthFetch } from "./session";

export type Schemas = components["schemas"];
export type Job = Schemas["JobOut"];
export type JobList = Schemas["JobList"];
export type LibraryItem = Schemas["Item"];
export type LibraryPage = Schemas["ItemList"];
export type User = Schemas["UserOut"];
export type ExtensionToken = Schemas["ExtensionTokenOut"];
export type PairingCode = Schemas["PairingCode"];

function webLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request(name, fn) as unknown as Promise<T>) : fn();
}

export const session = new Session({
  lock: webLock,
  onChange: ({ token, expiresAt }) => useAuthStore.setState({ token, expiresAt }),
  onExpired: () => useAuthStore.getState().setPhase("signed-out", "Your session ended. Sign in again."),
});

export const authFetch = createAuthFetch(session);

export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "http://localhost",
  fetch: (request) => authFetch(request),
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an openapi-fetch call, or an ApiError carrying the gateway's `detail`. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiError(response.status, error);
  return data as T;
}

/**
 * A JSON request for endpoints the generated schema does not describe yet (the feeds API,
 * which the gateway does not expose yet). Same session handling as `api`.
 */
export async function requestJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await authFetch(path, {
    method,
    headers: body === undefined ? undefined : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw apiError(response.status, parsed);
  return parsed as T;
}
