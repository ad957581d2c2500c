/**
 * What the extension remembers, in storage.local (never synced: a token stays on the
 * machine where it was paired).
 *
 * Invariant: a pairing belongs to one server. Changing the server address forgets the
 * token, so it is never sent to a server it was not issued by.
 */
import { ext } from "./platform";

export interface Pairing {
  token: string; // "mfx_…": only ever sent in the Authorization header, never shown again
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  server: string; // the server URL the token was issued by
  pairedAt: string;
}

export interface Config {
  server: string | null;
  pairing: Pairing | null;
}

export async function loadConfig(): Promise<Config> {
  const got = await ext.storage.local.get(["server", "pairing"]);
  const server = typeof got.server === "string" ? got.server : null;
  const pairing = (got.pairing as Pairing | undefined) ?? null;
  return { server, pairing: pairing && pairing.server === server ? pairing : null };
}

/** Store a new server address; returns true when this forgot an existing pairing. */
export async function saveServer(server: string): Promise<boolean> {
  const { pairing } = await loadConfig();
  await ext.storage.local.set({ server });
  if (pairing && pairing.server !== server) {
    await ext.storage.local.remove("pairing");
    return true;
  }
  return false;
}

export async function savePairing(pairing: Pairing): Promise<void> {
  await ext.storage.local.set({ pairing });
}

export async function forgetPairing(): Promise<void> {
  await ext.storage.local.remove("pairing");
}

/**
 * The server address as typed, made canonical: a scheme is added when missing (http),
 * trailing slashes go, and only http(s) addresses with a host are accepted. A path is
 * kept (a gateway behind a reverse proxy may live under one). Returns null if unusable.
 */
export function normalizeServer(input: string): string | null {
  let text = input.trim();
  if (!text) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
