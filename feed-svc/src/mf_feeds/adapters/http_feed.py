"""RSS/Atom/JSON Feed over HTTP: httpx fetches (every hop checked by the SSRF guard, the
size capped, the whole fetch under one deadline, conditional when the last answer had
validators), feedparser reads (json_feed for JSON Feed).

Failures raise SourceError carrying a `Failure` in plain words; nothing here decides
when to try again (domain.next_poll_delay does).
"""
from __future__ import annotations

import asyncio
import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import MozillaCookieJar
from pathlib import Path

import feedparser
import httpx
from mf_contracts.netguard import UrlRefused, check_url

from ..domain import (
    MAX_ITEM_KEY,
    MEDIA_TYPES,
    Failure,
    FeedItem,
    http_failure,
    is_json_feed,
    no_answer,
    retry_after_seconds,
    web_url,
)
from .json_feed import NotAJsonFeed, parse_json_feed

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
MAX_VALIDATOR = 512


class SourceError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True)
class Page:
    url: str
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # the site answered 304 to the validators sent


@dataclass(frozen=True)
class Parsed:
    title: str | None
    items: list[FeedItem]


def load_cookies(path: Path) -> MozillaCookieJar:
    """The vault's Netscape file. Its session cookies carry expiry 0, which the stdlib
    would treat as expired and never send; the vault has already dropped expired ones."""
    jar = MozillaCookieJar()
    jar.load(str(path), ignore_discard=True, ignore_expires=True)
    for cookie in jar:
        if not cookie.expires:
            cookie.expires, cookie.discard = None, True
    return jar


async def fetch(url: str, *, cookies: Path | None, timeout_s: float, allow_private: bool,
                max_bytes: int, user_agent: str, etag: str | None = None,
                last_modified: str | None = None) -> Page:
    """The document at `url`; with validators, a 304 gives a Page with `not_modified`."""
    async def guard(request: httpx.Request) -> None:
        # Every hop (redirects too): a public feed may not bounce us into the LAN.
        await asyncio.to_thread(check_url, str(request.url), allow_private=allow_private)

    jar = load_cookies(cookies) if cookies else None
    headers = {"user-agent": user_agent, "accept": ACCEPT}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    try:
        async with asyncio.timeout(timeout_s), httpx.AsyncClient(
                timeout=timeout_s, follow_redirects=True, max_redirects=5, cookies=jar,
                headers=headers, event_hooks={"request": [guard]}) as client, \
                client.stream("GET", url) as resp:
            validators = _validators(resp.headers)
            if resp.status_code == 304 and (etag or last_modified):
                return Page(str(resp.url), "", b"", not_modified=True, **validators)
            if resp.status_code >= 400:
                after = retry_after_seconds(resp.headers.get("retry-after"), now=datetime.now(UTC))
                raise SourceError(http_failure(status=resp.status_code, retry_after_s=after))
            body = await _read_capped(resp, max_bytes=max_bytes)
            return Page(str(resp.url), resp.headers.get("content-type", ""), body, **validators)
    except (TimeoutError, httpx.TimeoutException):
        raise SourceError(no_answer(timeout_s)) from None
    except UrlRefused as exc:
        raise SourceError(Failure(f"This address may not be fetched: {exc}.")) from None
    except httpx.TooManyRedirects:
        raise SourceError(Failure("The site redirects in circles.")) from None
    except httpx.HTTPError as exc:
        raise SourceError(Failure(f"Could not reach the site: {_reason(exc)}.")) from None


def _validators(headers: httpx.Headers) -> dict[str, str | None]:
    """ETag and Last-Modified worth keeping (a sane length; weak ETags are fine for a
    conditional GET)."""
    found = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
    return {k: v.strip() if v and len(v) <= MAX_VALIDATOR else None for k, v in found.items()}


async def _read_capped(resp: httpx.Response, *, max_bytes: int) -> bytes:
    body = bytearray()
    async for chunk in resp.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise SourceError(Failure(f"The feed is larger than {max_bytes // 2**20} MiB."))
    return bytes(body)


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return text.split("\n", 1)[0][:200]


def parse(page: Page, *, max_items: int) -> Parsed:
    """The entries of an RSS/Atom document (feedparser; CPU-bound, run in a thread), or
    of a JSON Feed."""
    if is_json_feed(content_type=page.content_type, head=page.body[:4096]):
        try:
            title, items = parse_json_feed(page.body, url=page.url, max_items=max_items)
        except NotAJsonFeed as exc:
            raise SourceError(Failure(f"The feed could not be read ({exc}).")) from None
        return Parsed(title=title, items=items)
    doc = feedparser.parse(page.body, response_headers={"content-location": page.url,
                                                        "content-type": page.content_type})
    if doc.get("bozo") and not doc.entries:
        reason = str(doc.get("bozo_exception") or "not a feed").split("\n", 1)[0][:200]
        raise SourceError(Failure(f"The feed could not be read ({reason})."))
    items = [item for entry in doc.entries[:max_items] if (item := entry_item(entry))]
    title = (doc.feed.get("title") or "").strip() or None
    return Parsed(title=title, items=items)


def entry_item(entry: dict) -> FeedItem | None:
    """An entry's media: an audio/video enclosure (podcasts) before its link (a page)."""
    url = _enclosure(entry) or web_url(entry.get("link"))
    if url is None:
        return None
    stable = entry.get("id") or entry.get("guid") or url
    return FeedItem(id=str(stable).strip()[:MAX_ITEM_KEY], url=url, title=(entry.get("title") or "").strip(),
                    published_at=_when(entry.get("published_parsed") or entry.get("updated_parsed")))


def _enclosure(entry: dict) -> str | None:
    for link in entry.get("enclosures") or []:
        media = str(link.get("type", "")).lower().startswith(MEDIA_TYPES)
        if media and (url := web_url(link.get("href"))):
            return url
    return None


def _when(value) -> datetime | None:
    """feedparser's struct_time is UTC."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, TypeError):
        return None
