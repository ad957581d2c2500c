/**
 * The WebExtension API object: `browser` in Firefox, `chrome` in Chromium.
 *
 * Every call in this extension uses the promise form (no callbacks), which both
 * browsers support in Manifest V3, so the same code runs in either. Only APIs that
 * Firefox also has are used; where one is missing the caller falls back (see uses of
 * `optional`).
 */
type Api = typeof chrome;

const g = globalThis as unknown as { browser?: Api; chrome?: Api };

export const ext: Api = (g.browser ?? g.chrome) as Api;

/** This extension's origin as servers see it in the Origin header, without a trailing
 * slash: `chrome-extension://<id>` (Chromium) or `moz-extension://<uuid>` (Firefox). */
export function extensionOrigin(): string {
  return ext.runtime.getURL("").replace(/\/$/, "");
}

/** A short name for this browser, used as the token's name on the server. */
export function browserName(userAgent: string = globalThis.navigator?.userAgent ?? ""): string {
  if (/Firefox\//.test(userAgent)) return "Firefox";
  if (/Edg\//.test(userAgent)) return "Edge";
  if (/OPR\//.test(userAgent)) return "Opera";
  if (/Chrome\//.test(userAgent)) return /Chromium\//.test(userAgent) ? "Chromium" : "Chrome";
  return "browser";
}
