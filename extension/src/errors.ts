/**
 * What went wrong, as data (`Failure`), and the plain words shown to the user
 * (`describeFailure`). Pure: no browser APIs, so the wording is unit-tested.
 *
 * The server's errors are JSON `{"detail": "..."}` with a 4xx/5xx status; its detail is
 * written for people, so it is shown as it is, after a sentence that says what it means
 * for this action.
 */

/** Which user action failed: the same status means different things for each. */
export type Action = "submit" | "cookies" | "pair" | "test" | "poll";

export type Failure =
  | { kind: "no-server" }
  | { kind: "not-paired" }
  | { kind: "unreachable"; server: string }
  | { kind: "timeout"; server: string }
  | { kind: "cors"; server: string; origin: string }
  | { kind: "http"; action: Action; status: number; detail: string; server: string }
  | { kind: "not-web-page"; url: string }
  | { kind: "permission-denied"; site: string }
  | { kind: "no-cookies"; site: string }
  | { kind: "unexpected"; message: string };

const REPAIR = "Open the extension's options and pair again with a new code from the web app " +
  "(Settings → Extension).";

export function corsAdvice(origin: string): string {
  return `Add this extension's origin to the server's settings, MF_EXTENSION_ORIGINS=${origin} ` +
    "(comma-separated if there are several), then restart the gateway.";
}

export function describeFailure(f: Failure): string {
  switch (f.kind) {
    case "no-server":
      return "No server is set. Open the extension's options and enter your MediaFetcher address.";
    case "not-paired":
      return "Not paired with your MediaFetcher server yet. Open the extension's options and " +
        "enter the pairing code the web app shows (Settings → Extension).";
    case "unreachable":
      return `Cannot reach the server at ${f.server}. Is it running, is the address right, ` +
        "and is this computer on a network that can reach it?";
    case "timeout":
      return `The server at ${f.server} did not answer in time. Try again shortly.`;
    case "cors":
      return `The server at ${f.server} answered, but does not allow requests from this ` +
        `extension (CORS is not configured for it). ${corsAdvice(f.origin)}`;
    case "not-web-page":
      return `This page can't be used (${shorten(f.url)}): only http and https web pages can ` +
        "be downloaded or have their cookies sent.";
    case "permission-denied":
      return `Access to ${f.site} was not granted, so no cookies were read. Click the button ` +
        "again and allow access when the browser asks.";
    case "no-cookies":
      return `This browser has no cookies for ${f.site}. Sign in to the site first, then send ` +
        "the cookie jar again.";
    case "unexpected":
      return `Something went wrong in the extension: ${f.message}`;
    case "http":
      return describeHttp(f);
  }
}

function describeHttp(f: Extract<Failure, { kind: "http" }>): string {
  const detail = f.detail.trim().replace(/\.$/, "");
  if (f.status === 401) {
    if (f.action === "pair") return `The server refused the pairing: ${detail}.`;
    return `The server no longer accepts this browser's token: it was revoked, or it is not ` +
      `valid on this server (${detail}). ${REPAIR}`;
  }
  if (f.status === 403) {
    const scope = /lacks the '([a-z]+)' scope/.exec(detail);
    if (scope) {
      const what = scope[1] === "cookies" ? "send cookies" : "submit downloads";
      return `This browser's token is not allowed to ${what} (${detail}). ${REPAIR}`;
    }
    return `The server refused this: ${detail}.`;
  }
  if (f.status === 429) return "Too many attempts in a short time. Wait a minute, then try again.";
  if (f.status >= 500) {
    return `The server had a problem (${f.status}: ${detail}). Try again shortly; if it ` +
      "keeps happening, check the server's logs.";
  }
  switch (f.action) {
    case "submit":
      if (f.status === 422) return `The server refused this URL: ${detail}.`;
      break;
    case "cookies":
      if (f.status === 413) return `Too many cookies at once: ${detail}.`;
      if (f.status === 422) return `The server refused these cookies: ${detail}.`;
      break;
    case "pair":
      if (f.status === 400 || f.status === 422) return `The pairing code was not accepted: ${detail}.`;
      break;
    case "test":
    case "poll":
      if (f.status === 404) {
        return `${f.server} does not look like a MediaFetcher server (${detail}). Check the address.`;
      }
      break;
  }
  return `The server answered ${f.status}: ${detail}.`;
}

function shorten(url: string, max = 80): string {
  return url.length > max ? `${url.slice(0, max - 1)}…` : url;
}

/** A Failure from anything thrown: ours pass through, anything else is "unexpected". */
export function toFailure(err: unknown): Failure {
  if (err instanceof FailureError) return err.failure;
  return { kind: "unexpected", message: err instanceof Error ? err.message : String(err) };
}

export class FailureError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
    this.name = "FailureError";
  }
}
