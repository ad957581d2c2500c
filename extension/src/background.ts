/**
 * The service worker: submits URLs (for the popup and the context menu), sends cookie
 * jars (for the popup, see handoff.ts), and follows the submitted jobs until they end,
 * then says so with a badge count and a notification (see follow.ts).
 */
import { submitJob } from "./api";
import { loadConfig } from "./config";
import { describeFailure, FailureError, toFailure } from "./errors";
import { ALARM, follow, markSeen, pollJobs, resumeFollowing } from "./follow";
import { cancelExport, exportForPopup } from "./handoff";
import { menuTarget } from "./media";
import type { Message, SubmitResult } from "./messages";
import { notify } from "./notify";
import { ext } from "./platform";
import { siteOf } from "./site";

const MENU_ID = "mf-download";

export async function submitUrl(url: string): Promise<SubmitResult> {
  try {
    if (!siteOf(url)) throw new FailureError({ kind: "not-web-page", url });
    const config = await loadConfig();
    const job = await submitJob(config, url);
    await follow({ id: job.id, url: job.url, server: config.server!, since: Date.now() });
    return { ok: true, job };
  } catch (err) {
    return { ok: false, failure: toFailure(err) };
  }
}

export async function onMenuClick(info: { linkUrl?: string; srcUrl?: string; pageUrl?: string }): Promise<SubmitResult> {
  const url = menuTarget(info);
  const result = await submitUrl(url);
  await notify(`mf-submit-${Date.now()}`, result.ok ? "Sent to MediaFetcher" : "MediaFetcher: not sent",
    result.ok ? `Queued: ${url}` : describeFailure(result.failure));
  return result;
}

/** Messages from this extension's own pages (no web page can send any: there is no
 * externally_connectable and no content script). */
function onMessage(message: Message, sender: chrome.runtime.MessageSender, reply: (r: unknown) => void): boolean {
  if (sender.id !== ext.runtime.id) return false;
  switch (message?.type) {
    case "submit":
      submitUrl(String(message.url)).then(reply);
      return true; // the reply comes later
    case "export-cookies":
      exportForPopup(String(message.request), String(message.pageUrl), message.tabId).then(reply);
      return true;
    case "cancel-export":
      cancelExport(String(message.request));
      return false;
    case "seen":
      markSeen().then(() => reply({ ok: true }));
      return true;
    default:
      return false;
  }
}

ext.runtime.onInstalled.addListener(async () => {
  await ext.contextMenus.removeAll();
  ext.contextMenus.create({
    id: MENU_ID, title: "Download with MediaFetcher", contexts: ["link", "video", "audio", "page"],
  });
  await resumeFollowing();
});
ext.runtime.onStartup.addListener(resumeFollowing);
ext.contextMenus.onClicked.addListener((info) => {
  if (info.menuItemId === MENU_ID) void onMenuClick(info);
});
ext.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) void pollJobs();
});
ext.notifications.onClicked.addListener(async (id) => {
  const { server } = await loadConfig();
  if (server) await ext.tabs.create({ url: server });
  await ext.notifications.clear(id);
});
ext.runtime.onMessage.addListener(onMessage);

// For the browser's devtools console and the end-to-end tests (only this extension's
// own pages and worker can reach this global).
Object.assign(globalThis, { mediafetcher: { submitUrl, onMenuClick, pollJobs } });
