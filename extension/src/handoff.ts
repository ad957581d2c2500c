/**
 * "Send Cookie Jar to Server", the service worker's half.
 *
 * The popup asks the browser for the site's host permission (it has the user's click)
 * and at once hands the export to the worker, which waits for the grant. Firefox, and
 * at times Chromium, close the popup while the permission prompt is up; the export
 * then still happens here, and a notification tells the result (an open popup shows it
 * itself). The worker works out the site from the page URL on its own (site.ts).
 */
import { loadConfig } from "./config";
import { describeExport, exportCookies } from "./cookies";
import { describeFailure, FailureError, toFailure } from "./errors";
import type { ExportReply } from "./messages";
import { notify } from "./notify";
import { ext } from "./platform";
import { siteOf } from "./site";

const PERMISSION_WAIT_MS = 120_000;
const waiting = new Map<string, () => void>();
const cancelled = new Set<string>(); // a "declined" that came before its export

export async function exportForPopup(request: string, pageUrl: string, tabId?: number): Promise<ExportReply> {
  let reply: ExportReply;
  try {
    const site = siteOf(pageUrl);
    if (!site) throw new FailureError({ kind: "not-web-page", url: pageUrl });
    if (!(await permissionGranted(request, site.origins))) {
      throw new FailureError({ kind: "permission-denied", site: site.site });
    }
    const done = await exportCookies(await loadConfig(), site, tabId);
    reply = { ok: true, text: describeExport(done, site.site) };
  } catch (err) {
    reply = { ok: false, failure: toFailure(err) };
  }
  const declined = !reply.ok && reply.failure.kind === "permission-denied";
  if (!declined && !(await popupOpen())) {
    await notify(`mf-cookies-${Date.now()}`, "MediaFetcher", reply.ok ? reply.text : describeFailure(reply.failure));
  }
  return reply;
}

/** The popup's permission request was declined (or failed). */
export function cancelExport(request: string): void {
  const cancel = waiting.get(request);
  if (cancel) cancel();
  else cancelled.add(request);
}

/** True once the origins are granted; false if the popup says the user declined, or
 * after PERMISSION_WAIT_MS without an answer. */
async function permissionGranted(request: string, origins: string[]): Promise<boolean> {
  if (await ext.permissions.contains({ origins })) return true;
  if (cancelled.delete(request)) return false;
  return new Promise((resolve) => {
    const finish = (granted: boolean) => {
      clearTimeout(timer);
      ext.permissions.onAdded.removeListener(added);
      waiting.delete(request);
      resolve(granted);
    };
    const added = () => {
      ext.permissions.contains({ origins }).then((ok) => ok && finish(true), () => undefined);
    };
    const timer = setTimeout(() => finish(false), PERMISSION_WAIT_MS);
    waiting.set(request, () => finish(false));
    ext.permissions.onAdded.addListener(added);
  });
}

async function popupOpen(): Promise<boolean> {
  const runtime = ext.runtime as typeof chrome.runtime & { getContexts?: typeof chrome.runtime.getContexts };
  if (!runtime.getContexts) return false; // a browser without it: notify, to be sure
  try {
    const contexts = await runtime.getContexts({ contextTypes: ["POPUP" as chrome.runtime.ContextType] });
    return contexts.length > 0;
  } catch {
    return false;
  }
}
