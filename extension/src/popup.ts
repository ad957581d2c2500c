/**
 * The popup: "Download This Media" and "Send Cookie Jar to Server" for the current tab.
 *
 * The current tab is the active tab of the popup's window. Opening the popup from the
 * toolbar grants `activeTab` for that tab, which lets it read the tab's URL and look
 * for a <video> in the page (chrome.scripting), without any host permission.
 * Reading the site's cookies does need one: it is requested from the button's click,
 * for this site only (permissions.request must be the first thing the click does, so
 * the browser still counts it as the user's gesture). The service worker does the
 * submitting and the exporting; this page shows what it answers.
 */
import type { ExportReply, SubmitResult } from "./messages";
import { type Config, loadConfig } from "./config";
import { describeFailure, type Failure, toFailure } from "./errors";
import { chooseTarget, collectMedia, explainReason, type PageMedia, type Target } from "./media";
import type { Finished } from "./pending";
import { ext } from "./platform";
import { type SiteChoice, siteOf } from "./site";
import { byId, say } from "./ui";

interface PopupState {
  config: Config;
  tab: chrome.tabs.Tab | undefined;
  site: SiteChoice | null;
  target: Target | null;
}

let state: PopupState | null = null;
const result = () => byId("result");

async function findMedia(tabId: number): Promise<PageMedia | null> {
  try {
    const [frame] = await ext.scripting.executeScript({ target: { tabId }, func: collectMedia });
    return (frame?.result as PageMedia | undefined) ?? null;
  } catch {
    return null; // a page the extension may not read (the Web Store, a PDF viewer…)
  }
}

async function init(): Promise<void> {
  const config = await loadConfig();
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  const site = siteOf(tab?.url ?? "");
  const media = site && tab?.id !== undefined ? await findMedia(tab.id) : null;
  const target = site ? chooseTarget(tab!.url!, media) : null;
  state = { config, tab, site, target };
  render(state);
  ext.runtime.sendMessage({ type: "seen" }).catch(() => undefined);
  await showRecent();
}

function render({ config, tab, site, target }: PopupState): void {
  const connection = byId("connection");
  if (!config.server) say(connection, "error", "No server set yet: open Options.");
  else if (!config.pairing) say(connection, "error", `Not paired with ${config.server} yet: open Options.`);
  else say(connection, "idle", `Paired with ${config.server}`);
  byId("target").textContent = target
    ? `Sends ${explainReason(target.reason)}: ${target.url}`
    : `This page can't be sent (${tab?.url || "no address"}).`;
  byId("target").dataset.url = target?.url ?? "";
  byId("cookie-site").textContent = site ? `Cookies of ${site.site} and its subdomains.` : "";
  // The buttons wait for this look at the tab (they start disabled in popup.html).
  for (const id of ["download", "cookies"]) byId<HTMLButtonElement>(id).disabled = false;
  document.body.dataset.ready = "true";
}

function fail(failure: Failure): void {
  say(result(), "error", describeFailure(failure));
}

function precheck(): PopupState | null {
  if (!state) {
    say(result(), "busy", "Still looking at this page; try again in a moment.");
    return null;
  }
  if (!state.site || !state.target) {
    fail({ kind: "not-web-page", url: state.tab?.url ?? "" });
    return null;
  }
  if (!state.config.server) fail({ kind: "no-server" });
  else if (!state.config.pairing) fail({ kind: "not-paired" });
  else return state;
  return null;
}

async function onDownload(): Promise<void> {
  const s = precheck();
  if (!s) return;
  const url = s.target!.url;
  say(result(), "busy", `Sending ${url}…`);
  const reply = (await ext.runtime.sendMessage({ type: "submit", url })) as SubmitResult;
  if (reply.ok) {
    say(result(), "ok", `Queued: ${url}. A notification follows when it is done.`);
    result().dataset.jobId = reply.job.id;
  } else {
    fail(reply.failure);
  }
}

function onCookies(): void {
  const s = precheck();
  if (!s) return;
  const site = s.site!;
  // The first call of the click, so the browser counts it as the user's: it asks the
  // user for this site, once. The worker does the export as soon as access is granted,
  // even if the browser closes this popup while asking.
  const asked = ext.permissions.request({ origins: site.origins });
  const request = crypto.randomUUID();
  let settled = false;
  const show = (text: string, ok: boolean) => {
    if (!settled) say(result(), ok ? "ok" : "error", text);
    settled = true;
  };
  say(result(), "busy", `Asking for access to ${site.site}…`);
  const message = { type: "export-cookies", request, pageUrl: s.tab!.url!, tabId: s.tab?.id };
  (ext.runtime.sendMessage(message) as Promise<ExportReply>).then(
    (reply) => show(reply.ok ? reply.text : describeFailure(reply.failure), reply.ok),
    (err) => show(describeFailure(toFailure(err)), false),
  );
  asked.then((granted) => {
    if (granted) {
      if (!settled) say(result(), "busy", `Sending the cookies of ${site.site}…`);
    } else {
      show(describeFailure({ kind: "permission-denied", site: site.site }), false);
      void ext.runtime.sendMessage({ type: "cancel-export", request });
    }
  }, (err) => {
    show(describeFailure(toFailure(err)), false);
    void ext.runtime.sendMessage({ type: "cancel-export", request });
  });
}

async function showRecent(): Promise<void> {
  const { recentFinished } = await ext.storage.local.get("recentFinished");
  const list = byId("recent");
  list.replaceChildren(...((recentFinished as Finished[] | undefined) ?? []).slice(0, 3).map((f) => {
    const li = document.createElement("li");
    li.textContent = f.text;
    li.dataset.state = f.ok ? "ok" : "error";
    return li;
  }));
}

byId("download").addEventListener("click", () => {
  onDownload().catch((err) => fail(toFailure(err)));
});
byId("cookies").addEventListener("click", onCookies);
byId("open-options").addEventListener("click", () => void ext.runtime.openOptionsPage());
init().catch((err) => {
  fail(toFailure(err));
  document.body.dataset.ready = "true";
});
