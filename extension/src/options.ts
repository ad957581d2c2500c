/**
 * The options page: the server's address, this extension's origin for the server's
 * MF_EXTENSION_ORIGINS, pairing with a short code, "Test connection" and unpairing.
 *
 * The token received when pairing goes straight to storage.local and is never shown
 * again: the page only shows its public prefix.
 */
import { call, exchangeCode } from "./api";
import { type Config, forgetPairing, loadConfig, normalizeServer, savePairing, saveServer } from "./config";
import { corsAdvice, describeFailure, toFailure } from "./errors";
import { browserName, ext, extensionOrigin } from "./platform";
import { byId, say } from "./ui";

const serverInput = () => byId<HTMLInputElement>("server");
const SCOPE_WORDS: Record<string, string> = { submit: "submit downloads", cookies: "send cookie jars" };
const scopeWords = (scopes: string[]) => scopes.map((s) => SCOPE_WORDS[s] ?? s).join(" and ");

function showPairing(config: Config): void {
  const paired = byId("paired");
  const p = config.pairing;
  paired.dataset.state = p ? "paired" : "unpaired";
  paired.textContent = p
    ? `Paired with ${p.server} as “${p.name}” (token ${p.prefix}…, allowed to ${scopeWords(p.scopes)}).`
    : "Not paired.";
  byId<HTMLButtonElement>("unpair").disabled = !p;
}

async function refresh(): Promise<Config> {
  const config = await loadConfig();
  if (config.server && document.activeElement !== serverInput()) serverInput().value = config.server;
  showPairing(config);
  return config;
}

/** The address in the field, saved if it changed; null (with a message) if unusable. */
async function currentServer(): Promise<string | null> {
  const status = byId("server-status");
  const server = normalizeServer(serverInput().value);
  if (!server) {
    say(status, "error", "Enter the address of your MediaFetcher server, like http://192.168.1.10:8080.");
    return null;
  }
  serverInput().value = server;
  const before = await loadConfig();
  if (before.server !== server) {
    const forgot = await saveServer(server);
    say(status, "ok", forgot
      ? `Saved. The pairing with ${before.server} was forgotten: pair again with ${server}.`
      : "Saved.");
    await refresh();
  }
  return server;
}

async function onSaveServer(event: Event): Promise<void> {
  event.preventDefault();
  const before = (await loadConfig()).server;
  const server = await currentServer();
  if (server && server === before) say(byId("server-status"), "ok", "Saved.");
}

async function onPair(event: Event): Promise<void> {
  event.preventDefault();
  const status = byId("pair-status");
  const server = await currentServer();
  if (!server) return say(status, "error", "Enter the server address first (step 1).");
  const code = byId<HTMLInputElement>("code").value.trim();
  if (!code) return say(status, "error", "Enter the pairing code the web app shows.");
  say(status, "busy", "Pairing…");
  try {
    const t = await exchangeCode(server, code, `MediaFetcher extension (${browserName()})`);
    await savePairing({
      token: t.token, id: t.id, name: t.name, prefix: t.prefix, scopes: t.scopes, server,
      pairedAt: new Date().toISOString(),
    });
    byId<HTMLInputElement>("code").value = "";
    say(status, "ok", `Paired. This browser can now ${scopeWords(t.scopes)} on ${server}.`);
  } catch (err) {
    say(status, "error", describeFailure(toFailure(err)));
  }
  await refresh();
}

async function onTest(): Promise<void> {
  const status = byId("test-status");
  const server = await currentServer();
  if (!server) return say(status, "error", describeFailure({ kind: "no-server" }));
  const { pairing } = await loadConfig();
  say(status, "busy", `Connecting to ${server}…`);
  try {
    const page = await call<{ total: number }>("/api/jobs?limit=1", { server, action: "test", token: pairing?.token });
    say(status, "ok", `Connected. The server accepts this browser's token (${pairing!.prefix}…) and lists ` +
      `${page.total} ${page.total === 1 ? "job" : "jobs"} of yours.`);
  } catch (err) {
    const f = toFailure(err);
    if (!pairing && f.kind === "http" && f.status === 401) {
      say(status, "ok", "Connected: the server is reachable and accepts this extension. Now pair it (step 3).");
    } else {
      say(status, "error", describeFailure(f));
    }
  }
}

async function onUnpair(): Promise<void> {
  const { pairing } = await loadConfig();
  await forgetPairing();
  await refresh();
  say(byId("test-status"), "ok", pairing
    ? `This browser forgot its token. Also revoke “${pairing.name}” (${pairing.prefix}…) in the web app ` +
      "under Settings → Extension → Extension tokens, so nobody can use it again."
    : "Not paired.");
}

function showOrigin(): void {
  const origin = extensionOrigin();
  byId("origin").textContent = origin;
  byId("origin-env").textContent = `MF_EXTENSION_ORIGINS=${origin}`;
  byId("copy-origin").title = corsAdvice(origin);
}

function guard(fn: (e: Event) => Promise<void>, statusId: string) {
  return (e: Event) => {
    fn(e).catch((err) => say(byId(statusId), "error", describeFailure(toFailure(err))));
  };
}

showOrigin();
byId("server-form").addEventListener("submit", guard(onSaveServer, "server-status"));
byId("pair-form").addEventListener("submit", guard(onPair, "pair-status"));
byId("test").addEventListener("click", guard(onTest, "test-status"));
byId("unpair").addEventListener("click", guard(onUnpair, "test-status"));
byId("copy-origin").addEventListener("click", async () => {
  await navigator.clipboard.writeText(byId("origin-env").textContent ?? "").catch(() => undefined);
});
void refresh();
ext.storage.onChanged.addListener(() => void refresh());
