"""Pure decisions of the feeds service (no I/O): when to poll next, what a failure
means for the user, which connector reads a source, what counts as a new item.

Politeness is the rule throughout: a failing or rate-limiting site is asked less
often (exponential backoff, capped, with jitter so many feeds never line up), and a
Retry-After the site sends is always honoured.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from mf_contracts.netguard import UrlRefused, check_url_syntax

MAX_BACKOFF_S = 24 * 3600
# A site's own Retry-After is honoured up to this (beyond it, a typo or a hostile value).
MAX_RETRY_AFTER_S = 7 * 24 * 3600
JITTER = 0.1
# Item ids and URLs are index keys (Postgres b-tree entries stay under ~2.7 kB).
MAX_ITEM_KEY = 2000
# A rate limit without a Retry-After waits this many more doublings than an error.
RATE_LIMIT_EXTRA_DOUBLINGS = 2
YOUTUBE_HOSTS = ("youtube.com", "youtu.be", "youtube-nocookie.com")
# Enclosure/attachment types that are the item's media (podcasts, video feeds).
MEDIA_TYPES = ("audio/", "video/", "application/vnd.apple.mpegurl", "application/x-mpegurl")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/xml", "text/xml")
_FEED_ROOT = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                        rb"<(?:rss|feed|rdf:RDF)[\s>]", re.DOTALL)
# Extractors whose entry ids are positions on a page ("page-1"), not stable ids.
UNSTABLE_ID_EXTRACTORS = {"", "generic", "html5mediaembed"}
_CHANNEL_HOME = re.compile(r"^/(?:@[^/]+|channel/[^/]+|c/[^/]+|user/[^/]+)/?$")
_RATE_LIMIT_WORDS = re.compile(r"\b429\b|too many requests|rate[- ]?limit|confirm you.?re not a bot",
                               re.IGNORECASE)


@dataclass(frozen=True)
class FeedItem:
    """One entry a source lists. `id` is stable across polls (guid, extractor id or URL)."""

    id: str
    url: str
    title: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True)
class Failure:
    """Why a poll gave nothing, in words for the user, and how long the site asks us to wait."""

    message: str
    rate_limited: bool = False
    retry_after_s: float | None = None


def no_answer(seconds: float) -> Failure:
    return Failure(f"The site did not answer within {max(1, round(seconds))} seconds.")


def too_slow(seconds: float) -> Failure:
    return Failure(f"Reading the page took longer than {max(1, round(seconds))} seconds.")


def next_poll_delay(*, interval_s: float, failures: int, rand: float,
                    failure: Failure | None = None, max_backoff_s: float = MAX_BACKOFF_S,
                    jitter: float = JITTER) -> float:
    """Seconds until the next poll: interval × 2^failures (more for a rate limit), capped,
    spread by ±jitter (`rand` is uniform in [0, 1)), never sooner than a Retry-After."""
    doublings = failures + (RATE_LIMIT_EXTRA_DOUBLINGS if failure and failure.rate_limited else 0)
    base = interval_s * 2 ** min(doublings, 32)
    cap = max(max_backoff_s, interval_s)
    delay = min(cap, base * (1 - jitter + 2 * jitter * rand))
    if failure and failure.retry_after_s:
        delay = max(delay, min(failure.retry_after_s, MAX_RETRY_AFTER_S))
    return delay


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from `now`."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def http_failure(*, status: int, retry_after_s: float | None) -> Failure:
    """What an HTTP error status means for the user and the schedule."""
    if status == 429 or (status == 403 and retry_after_s is not None):
        return Failure(f"The site is limiting requests (HTTP {status}); checking again later.",
                       rate_limited=True, retry_after_s=retry_after_s)
    if status in (401, 403):
        return Failure(f"The site refused access (HTTP {status}). If it needs a login, send "
                       "your cookies for it with the browser extension.")
    if status in (404, 410):
        return Failure(f"There is no feed at this address any more (HTTP {status}).")
    if status >= 500:
        return Failure(f"The site had an error (HTTP {status}); checking again later.",
                       retry_after_s=retry_after_s)
    return Failure(f"The site answered HTTP {status} instead of a feed.")


def ytdlp_failure(*, message: str, status: int | None = None,
                  retry_after_s: float | None = None) -> Failure:
    """yt-dlp's error, with its prefixes and Python reprs taken off."""
    if status:
        failure = http_failure(status=status, retry_after_s=retry_after_s)
        if failure.rate_limited or status in (401, 403, 404, 410) or status >= 500:
            return failure
    text = re.sub(r"^(?:ERROR:\s*)?(?:\[[\w:]+\]\s*)?", "", message.strip())
    text = re.sub(r"\s*\(caused by .*\)\s*$", "", text, flags=re.DOTALL)
    text = re.sub(r";?\s*please report this issue.*$", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = text.strip().rstrip(".") or "the site could not be read"
    if _RATE_LIMIT_WORDS.search(message):
        return Failure(f"The site is limiting requests; checking again later ({text[:300]}).",
                       rate_limited=True, retry_after_s=retry_after_s)
    return Failure(f"Could not list the page: {text[:400]}.")


def is_youtube(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in YOUTUBE_HOSTS)


def kind_for_url(url: str, *, known: str | None) -> str | None:
    """The connector a feed uses when the URL alone decides; None: fetch and look."""
    if known:
        return known
    return "youtube" if is_youtube(url) else None


def listing_url(url: str) -> str:
    """A YouTube channel's home lists its tabs (Videos, Shorts, Live) as playlists, not
    videos: read its Videos tab instead. Every other URL is read as given."""
    if not is_youtube(url):
        return url
    parts = urlsplit(url)
    if _CHANNEL_HOME.match(parts.path):
        return parts._replace(path=parts.path.rstrip("/") + "/videos").geturl()
    return url


def looks_like_feed(*, content_type: str, head: bytes) -> bool:
    """RSS/Atom by its content type or its XML root (feeds are often served as text/html
    or text/plain, and HTML pages are never served as RSS), or a JSON Feed."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return (mime in FEED_TYPES or bool(_FEED_ROOT.match(head[:4096]))
            or is_json_feed(content_type=content_type, head=head))


def is_json_feed(*, content_type: str, head: bytes) -> bool:
    """A JSON Feed by its type, or a JSON object naming its jsonfeed.org version early
    (servers often say application/json, and "version" comes first by convention)."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime == "application/feed+json" or (
        head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
        and b"jsonfeed.org/version" in head[:4096])


def web_url(value: object) -> str | None:
    """`value` if it is an http(s) URL with a host (feeds also list mailto:, javascript:, …)
    and of a length an index can hold."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_ITEM_KEY:
        return None
    try:
        check_url_syntax(value.strip())
    except UrlRefused:
        return None
    return value.strip()


def ytdlp_item_id(*, extractor: str | None, entry_id: object, url: str) -> str:
    """Stable id of a listed entry: `<extractor>:<id>` where the extractor's ids are the
    site's own (YouTube video ids); the URL where they are only positions on a page."""
    key = (extractor or "").strip().lower()
    if key in UNSTABLE_ID_EXTRACTORS or entry_id in (None, ""):
        return url
    return f"{key}:{entry_id}"[:MAX_ITEM_KEY]


def ytdlp_published(*, timestamp: object, upload_date: object) -> datetime | None:
    """When yt-dlp says an entry was published: a Unix time, else a YYYYMMDD date."""
    if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool):
        try:
            return datetime.fromtimestamp(timestamp, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    if isinstance(upload_date, str) and re.fullmatch(r"\d{8}", upload_date):
        try:
            return datetime.strptime(upload_date, "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            return None
    return None


def dedupe(items: list[FeedItem]) -> list[FeedItem]:
    """First occurrence wins, by id and by URL (a feed listing one video twice, or a guid
    changed for the same link, is still one item)."""
    seen_ids: set[str] = set()
    seen_urls: set[str] = set()
    kept = []
    for item in items:
        if item.id in seen_ids or item.url in seen_urls:
            continue
        seen_ids.add(item.id)
        seen_urls.add(item.url)
        kept.append(item)
    return kept


def oldest_first(items: list[FeedItem]) -> list[FeedItem]:
    """Feeds list newest first; new items are announced (and downloaded) oldest first.
    By date when every item has one, else by reversing the listing."""
    if items and all(i.published_at for i in items):
        return sorted(items, key=lambda i: i.published_at)  # type: ignore[arg-type, return-value]
    return list(reversed(items))


def should_submit(*, auto_download: bool, first_poll: bool, backlog: bool) -> bool:
    """Auto-download takes new items only: what a feed lists when first read is its
    backlog, downloaded only if the user asked for it."""
    return auto_download and (backlog or not first_poll)


def asks_for_pause(failure: Failure) -> bool:
    """A rate limit, or any answer with a Retry-After: the site's wish binds "poll now" too."""
    return failure.rate_limited or failure.retry_after_s is not None


def pause_message(until: datetime) -> str:
    return (f"The site asked for a pause; the feed will be checked again at "
            f"{until.astimezone(UTC):%Y-%m-%d %H:%M} UTC.")


def interval_problem(interval_s: int, *, min_s: int, max_s: int) -> str | None:
    if interval_s < min_s:
        return f"The check interval must be at least {_duration(min_s)}."
    if interval_s > max_s:
        return f"The check interval must be at most {_duration(max_s)}."
    return None


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
