/**
 * What "Download This Media" sends: the page's URL, or the URL of a video found on it.
 *
 * The rule, kept simple on purpose:
 * 1. On a site yt-dlp knows well (KNOWN_SITES), the page URL. Its extractor finds the
 *    best formats, the title and the thumbnail; the <video> there usually plays a
 *    `blob:` URL or short-lived stream segments, useless to a server.
 * 2. When the page itself is a media file (the browser shows a bare video), the page
 *    URL: it is the media URL.
 * 3. When the page is an ordinary HTML page with a <video>/<audio> (or <source>) whose
 *    address is a real http(s) URL, that media URL: it is exactly what the user sees
 *    playing, while an unknown page may hide it from a generic extractor (inserted by
 *    script, behind a player).
 * 4. Otherwise (no media found, or only blob:/data: ones, or the page could not be
 *    read), the page URL, and the server's extractors try their best.
 */
import { registrableDomain } from "./site";

export const KNOWN_SITES = new Set([
  "youtube.com", "youtu.be", "youtube-nocookie.com", "vimeo.com", "dailymotion.com",
  "twitch.tv", "kick.com", "tiktok.com", "instagram.com", "facebook.com", "fb.watch",
  "x.com", "twitter.com", "threads.net", "bsky.app", "reddit.com", "redd.it",
  "soundcloud.com", "bandcamp.com", "mixcloud.com", "bilibili.com", "nicovideo.jp",
  "rumble.com", "odysee.com", "streamable.com", "archive.org", "ted.com", "vk.com",
  "ok.ru", "imgur.com", "9gag.com", "pinterest.com", "linkedin.com", "bbc.co.uk",
  "arte.tv", "ardmediathek.de", "zdf.de", "cnn.com", "nbcnews.com", "peertube.tv",
]);

/** What a look at the page found (see `collectMedia`, run inside the page). */
export interface PageMedia {
  /** The document is a media file shown by the browser, not an HTML page. */
  isMediaDocument: boolean;
  /** Absolute src/currentSrc of <video>, <audio> and their <source>s, in page order. */
  sources: string[];
}

export type Reason = "known-site" | "page-is-media" | "media-on-page" | "page";

export interface Target {
  url: string;
  reason: Reason;
}

export function chooseTarget(pageUrl: string, media: PageMedia | null): Target {
  const site = registrableDomain(pageUrl);
  if (site && KNOWN_SITES.has(site)) return { url: pageUrl, reason: "known-site" };
  if (media?.isMediaDocument) return { url: pageUrl, reason: "page-is-media" };
  const found = media?.sources.find(isFetchable);
  if (found && found !== pageUrl) return { url: found, reason: "media-on-page" };
  return { url: pageUrl, reason: "page" };
}

function isFetchable(src: string): boolean {
  try {
    const url = new URL(src);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export function explainReason(reason: Reason): string {
  switch (reason) {
    case "known-site":
      return "the page address (MediaFetcher knows this site)";
    case "page-is-media":
      return "the address of this media file";
    case "media-on-page":
      return "the video found on this page";
    case "page":
      return "the page address";
  }
}

/**
 * Runs INSIDE the page (chrome.scripting.executeScript with `func`): it must be
 * self-contained, referring to nothing outside its own body.
 */
export function collectMedia(): PageMedia {
  const sources: string[] = [];
  const add = (value: string | null | undefined) => {
    if (value && !sources.includes(value)) sources.push(value);
  };
  for (const el of Array.from(document.querySelectorAll("video, audio"))) {
    const media = el as HTMLMediaElement;
    add(media.currentSrc);
    add(media.src);
    for (const source of Array.from(media.querySelectorAll("source"))) add((source as HTMLSourceElement).src);
  }
  const type = document.contentType || "";
  return { isMediaDocument: /^(video|audio)\//.test(type), sources };
}

/** What the context menu item sends: the link if one was clicked; a video or audio
 * element's address under the same rule as the popup (not on known sites, not blob:);
 * else the page. */
export function menuTarget(info: { linkUrl?: string; srcUrl?: string; pageUrl?: string }): string {
  if (info.linkUrl) return info.linkUrl;
  const page = info.pageUrl ?? "";
  if (info.srcUrl) {
    if (!page) return info.srcUrl;
    return chooseTarget(page, { isMediaDocument: false, sources: [info.srcUrl] }).url;
  }
  return page;
}
