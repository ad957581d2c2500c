/**
 * "Send Cookie Jar to Server": the cookies of the current site (see site.ts), read with
 * cookies.getAll and sent as the browser gives them (cookies.Cookie objects) to
 * POST /api/cookies, where the vault encrypts them.
 *
 * Reading another site's cookies needs a host permission for it. It is requested at
 * run time, for this site only, from the button's click (a user gesture): see popup.ts
 * and `exportForPopup` in background.ts.
 */
import { type Config } from "./config";
import { type JarSummary, sendCookies } from "./api";
import { FailureError } from "./errors";
import { ext } from "./platform";
import type { SiteChoice } from "./site";

/** The cookie store the tab uses (an incognito window or a Firefox container has its
 * own); undefined means the default store. */
async function storeOf(tabId: number | undefined): Promise<string | undefined> {
  if (tabId === undefined) return undefined;
  try {
    const stores = await ext.cookies.getAllCookieStores();
    return stores.find((s) => s.tabIds.includes(tabId))?.id;
  } catch {
    return undefined;
  }
}

export async function readCookies(site: SiteChoice, tabId?: number): Promise<chrome.cookies.Cookie[]> {
  const storeId = await storeOf(tabId);
  const query: chrome.cookies.GetAllDetails = { domain: site.cookieDomain, ...(storeId ? { storeId } : {}) };
  try {
    return await ext.cookies.getAll(query);
  } catch (err) {
    // Firefox with first-party isolation insists on firstPartyDomain; null means "any".
    if (!/firstPartyDomain/.test(String(err))) throw err;
    return await ext.cookies.getAll({ ...query, firstPartyDomain: null } as chrome.cookies.GetAllDetails);
  }
}

export interface ExportResult {
  sent: number;
  stored: JarSummary[];
}

export async function exportCookies(config: Config, site: SiteChoice, tabId?: number): Promise<ExportResult> {
  const cookies = await readCookies(site, tabId);
  if (cookies.length === 0) throw new FailureError({ kind: "no-cookies", site: site.site });
  const stored = await sendCookies(config, cookies);
  return { sent: cookies.length, stored };
}

export function describeExport(result: ExportResult, site: string): string {
  const jars = result.stored.length ? result.stored : [{ site, count: 0 }];
  const parts = jars.map((j) => `${j.count} ${j.count === 1 ? "cookie" : "cookies"} for site ${j.site} stored`);
  return `${parts.join("; ")} (encrypted on the server; ${result.sent} sent from this browser).`;
}
