/**
 * Which site a page belongs to, for cookies: its registrable domain ("eTLD+1") by the
 * Public Suffix List, private suffixes included, the same rule the vault uses to group
 * the jars it stores (`www.youtube.com` → `youtube.com`, `a.b.co.uk` → `b.co.uk`,
 * `me.github.io` → `me.github.io`). An IP address is its own site, and so is a name
 * with no public suffix (`localhost`, `nas`).
 *
 * The cookies sent for a page are those of its site and every subdomain of it:
 * `cookies.getAll({domain: site})`. That is what a signed-in session on any page of
 * the site may use (a login on accounts.example.com serves www.example.com), and it
 * never reaches another site's cookies.
 */
import { parse } from "tldts";

export interface SiteChoice {
  /** The registrable domain or IP address, as the vault names the jar. */
  site: string;
  /** The `domain` filter for cookies.getAll. */
  cookieDomain: string;
  /** Host permission patterns covering the site and its subdomains, both schemes. */
  origins: string[];
}

/** The site of an http(s) URL, or null for any other page (chrome://, file://, about:…). */
export function siteOf(pageUrl: string): SiteChoice | null {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) return null;
  const host = url.hostname.toLowerCase().replace(/\.$/, ""); // "[::1]" keeps its brackets
  const parsed = parse(host, { allowPrivateDomains: true });
  if (parsed.isIp) {
    const bare = host.replace(/^\[|\]$/g, "");
    return { site: bare, cookieDomain: bare, origins: [`*://${host}/*`] };
  }
  const site = parsed.domain ?? host;
  return { site, cookieDomain: site, origins: [`*://*.${site}/*`] };
}

/** The registrable domain of a URL's host (for matching against known sites), or null. */
export function registrableDomain(pageUrl: string): string | null {
  return siteOf(pageUrl)?.site ?? null;
}
