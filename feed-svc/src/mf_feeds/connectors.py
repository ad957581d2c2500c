"""The connector interface, the three connectors, and the fail-safe way to call them.

A connector answers one question: what does this source list now? `list_items` raises
SourceError (a Failure in plain words) when it cannot tell; `read_source` turns every
outcome, including bugs and hangs, into an Outcome and never raises, so one bad feed
can never stop the scheduler or the others.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mf_contracts.logging import get_logger
from mf_contracts.settings import Settings

from .adapters import http_feed, ytdlp
from .adapters.cookies import cookie_file
from .adapters.http_feed import SourceError
from .adapters.listers import ListerPool
from .config import FeedsConfig, Wired
from .domain import Failure, FeedItem, dedupe, kind_for_url, listing_url, looks_like_feed, no_answer

log = get_logger(__name__)
# The outer deadline gives the connector's own timeout a moment to report itself.
GRACE_S = 2.0


@dataclass(frozen=True)
class Source:
    """What a connector needs of a feed."""

    url: str
    kind: str | None = None
    # Validators of the last full answer (RSS/Atom/JSON Feed over HTTP only).
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Listing:
    kind: str
    title: str | None
    items: list[FeedItem]
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # a 304: nothing new since the validators were given


@dataclass(frozen=True)
class Outcome:
    listing: Listing | None = None
    failure: Failure | None = None
    items: list[FeedItem] = field(default_factory=list)
    seconds: float = 0.0


class Connector(Protocol):
    async def list_items(self, source: Source, *, cookies: Path | None,
                         timeout_s: float) -> Listing: ...


@dataclass(frozen=True)
class RssConnector:
    """RSS, Atom, RDF and JSON Feed documents over HTTP, asked for conditionally."""

    cfg: FeedsConfig

    async def list_items(self, source: Source, *, cookies: Path | None, timeout_s: float) -> Listing:
        page = await self.fetch(source.url, cookies=cookies, timeout_s=timeout_s,
                                etag=source.etag, last_modified=source.last_modified)
        if page.not_modified:
            return Listing(kind="rss", title=None, items=[], not_modified=True,
                           etag=page.etag or source.etag,
                           last_modified=page.last_modified or source.last_modified)
        return await self.parse(page)

    async def fetch(self, url: str, *, cookies: Path | None, timeout_s: float,
                    etag: str | None = None, last_modified: str | None = None) -> http_feed.Page:
        return await http_feed.fetch(url, cookies=cookies, timeout_s=timeout_s,
                                     allow_private=self.cfg.allow_private_networks,
                                     max_bytes=self.cfg.max_feed_bytes,
                                     user_agent=self.cfg.user_agent, etag=etag,
                                     last_modified=last_modified)

    async def parse(self, page: http_feed.Page) -> Listing:
        parsed = await asyncio.to_thread(http_feed.parse, page, max_items=self.cfg.max_items)
        return Listing(kind="rss", title=parsed.title, items=parsed.items, etag=page.etag,
                       last_modified=page.last_modified)


@dataclass(frozen=True)
class YtdlpConnector:
    """Channels, playlists and any page yt-dlp can list (flat: entries are not resolved)."""

    cfg: FeedsConfig
    listers: ListerPool
    kind: str = "ytdlp"

    async def list_items(self, source: Source, *, cookies: Path | None, timeout_s: float) -> Listing:
        listed = await ytdlp.list_entries(listing_url(source.url), pool=self.listers,
                                          cookies=cookies, timeout_s=timeout_s,
                                          max_items=self.cfg.max_items)
        return Listing(kind=self.kind, title=listed.title, items=listed.items)


@dataclass(frozen=True)
class AutoConnector:
    """A feed whose kind is not known yet: an RSS/Atom answer (by content type or XML
    root) is read as a feed, anything else is handed to yt-dlp."""

    cfg: FeedsConfig
    listers: ListerPool

    async def list_items(self, source: Source, *, cookies: Path | None, timeout_s: float) -> Listing:
        began = time.monotonic()
        rss = RssConnector(self.cfg)
        page = await rss.fetch(source.url, cookies=cookies, timeout_s=timeout_s)
        if looks_like_feed(content_type=page.content_type, head=page.body[:4096]):
            return await rss.parse(page)
        left = max(1.0, timeout_s - (time.monotonic() - began))
        return await YtdlpConnector(self.cfg, self.listers).list_items(source, cookies=cookies,
                                                                       timeout_s=left)


def connector_for(source: Source, wired: Wired) -> Connector:
    kind = kind_for_url(source.url, known=source.kind)
    if kind == "rss":
        return RssConnector(wired.config)
    if kind in ("youtube", "ytdlp"):
        return YtdlpConnector(wired.config, wired.listers, kind=kind)
    return AutoConnector(wired.config, wired.listers)


async def read_source(settings: Settings, wired: Wired, *, source: Source,
                      user_id: uuid.UUID) -> Outcome:
    """What the source lists now, with the user's cookies for its site; never raises
    (except cancellation). The whole call, cookie look-up included, has one deadline."""
    cfg, began = wired.config, time.monotonic()
    try:
        async with asyncio.timeout(cfg.poll_timeout_s + GRACE_S):
            async with cookie_file(settings, user_id=user_id, url=source.url) as cookies:
                listing = await connector_for(source, wired).list_items(
                    source, cookies=cookies, timeout_s=cfg.poll_timeout_s)
        items = dedupe(listing.items)
        return Outcome(listing=listing, items=items, seconds=time.monotonic() - began)
    except SourceError as exc:
        failure = exc.failure
    except TimeoutError:
        failure = no_answer(cfg.poll_timeout_s)
    except Exception:
        log.exception("connector failed unexpectedly", url=source.url)
        failure = Failure("Checking the feed failed unexpectedly; checking again later.")
    return Outcome(failure=failure, seconds=time.monotonic() - began)
