"""RSS/Atom over HTTP: httpx fetches (every hop checked by the SSRF guard, the size
capped, the whole fetch under one deadline), feedparser reads.

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
    Failure,
    FeedItem,
    http_failure,
    no_answer,
    retry_after_seconds,
    web_url,
)

ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
          "text/html;q=0.8, */*;q=0.5")
MEDIA_TYPES = ("audio/", "video/", "application/vnd.apple.mpegurl", "application/x-mpegurl")


class SourceError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True)
class Page:
    url: str
    content_type: str
    body: bytes


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
                max_bytes: int, user_agent: str) -> Page:
    async def guard(request: httpx.Request) -> None:
        # Every hop (redirects too): a public feed may not bounce us into the LAN.
        await asyncio.to_thread(check_url, str(request.url), allow_private=allow_private)

    jar = load_cookies(cookies) if cookies else None
    try:
        async with asyncio.timeout(timeout_s), httpx.AsyncClient(
                timeout=timeout_s, follow_redirects=True, max_redirects=5, cookies=jar,
                headers={"user-agent": user_agent, "accept": ACCEPT},
                event_hooks={"request": [guard]}) as client, client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                after = retry_after_seconds(resp.headers.get("retry-after"), now=datetime.now(UTC))
                raise SourceError(http_failure(status=resp.status_code, retry_after_s=after))
            body = await _read_capped(resp, max_bytes=max_bytes)
            return Page(str(resp.url), resp.headers.get("content-type", ""), body)
    except (TimeoutError, httpx.TimeoutException):
        raise SourceError(no_answer(timeout_s)) from None
    except UrlRefused as exc:
        raise SourceError(Failure(f"This address may not be fetched: {exc}.")) from None
    except httpx.TooManyRedirects:
        raise SourceError(Failure("The site redirects in circles.")) from None
    except httpx.HTTPError as exc:
        raise SourceError(Failure(f"Could not reach the site: {_reason(exc)}.")) from None


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
    """The entries of an RSS/Atom document (feedparser; CPU-bound, run in a thread)."""
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
