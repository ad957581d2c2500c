"""The feeds service running for real (production runtime, real Postgres, Redis,
yt-dlp and feedparser), its internal API over HTTP, and feeds served from 127.0.0.1."""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

import asyncpg
import httpx
import pytest
from mf_contracts.internal_api import internal_client
from mf_contracts.settings import Settings
from mf_feeds.app import build_spec
from mf_testkit.pipeline import pipeline_settings, running

# Fast for tests: a tick of 0.1 s, any interval allowed; 10 s per poll leaves room for a
# cold yt-dlp listing (2-3 s on a busy 2-core machine). Tests that read pages through
# yt-dlp ask for the warm spare lister; the others save its second of CPU.
FAST = {"min_interval_s": 1, "tick_s": 0.1, "poll_timeout_s": 10.0, "warm_lister": False}


def rss(entries: list[dict], *, title: str = "A test feed") -> str:
    """RSS 2.0 text; entries are {guid?, link, title, date?}."""
    items = "".join(
        "<item>"
        f"<title>{escape(e['title'])}</title><link>{escape(e['link'])}</link>"
        + (f"<guid isPermaLink=\"false\">{escape(e['guid'])}</guid>" if e.get("guid") else "")
        + (f"<pubDate>{format_datetime(e['date'])}</pubDate>" if e.get("date") else "")
        + "</item>" for e in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>"
            f"<description>test</description>{items}</channel></rss>")


def atom(entries: list[dict], *, title: str = "An Atom feed") -> str:
    """Atom 1.0 text; entries are {id, link, title, date}."""
    body = "".join(
        f"<entry><id>{escape(e['id'])}</id><title>{escape(e['title'])}</title>"
        f'<link rel="alternate" href="{escape(e["link"])}"/>'
        f"<updated>{e['date'].isoformat()}</updated></entry>" for e in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id>"
            f"<updated>{datetime.now(UTC).isoformat()}</updated>{body}</feed>")


def video_page(srcs: list[str], *, title: str = "A channel page") -> str:
    """An HTML page with one <video> per source: yt-dlp's generic extractor lists it as a
    playlist of several entries."""
    videos = "".join(f'<h2>{escape(s)}</h2><video controls src="{escape(s)}"></video>' for s in srcs)
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"</head><body>{videos}</body></html>")


async def wait_until(check: Callable[[], Awaitable[object]], *, timeout: float = 20,
                     what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        await asyncio.sleep(0.05)


class Feeds:
    """The internal API as the gateway uses it, for one user, plus the service's schema."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient, user_id: uuid.UUID) -> None:
        self.settings, self.client, self.user_id = settings, client, user_id

    async def subscribe(self, url: str, *, user_id: uuid.UUID | None = None, **fields) -> dict:
        resp = await self.client.post("/internal/feeds", json={
            "user_id": str(user_id or self.user_id), "url": url, **fields})
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def feed(self, feed_id: str) -> dict:
        resp = await self.client.get("/internal/feeds", params={"user_id": str(self.user_id)})
        assert resp.status_code == 200, resp.text
        return next(f for f in resp.json() if f["id"] == feed_id)

    async def polled(self, feed_id: str, *, timeout: float = 20) -> dict:
        """The feed once the scheduler has polled it."""
        async def done():
            feed = await self.feed(feed_id)
            return feed if feed["last_polled_at"] else None
        return await wait_until(done, timeout=timeout, what=f"first poll of {feed_id}")

    async def items(self, feed_id: str, **params) -> dict:
        resp = await self.client.get(f"/internal/feeds/{feed_id}/items",
                                     params={"user_id": str(self.user_id), **params})
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def poll(self, feed_id: str) -> dict:
        resp = await self.client.post(f"/internal/feeds/{feed_id}/poll",
                                      params={"user_id": str(self.user_id)})
        assert resp.status_code == 200, resp.text
        return resp.json()

    async def outbox(self, type_: str) -> list[asyncpg.Record]:
        """What the service has emitted (its event log), oldest first."""
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            schema = f"{self.settings.db_schema_prefix}feeds"
            return await conn.fetch(f"SELECT correlation_id, envelope FROM {schema}.outbox"
                                    " WHERE type = $1 ORDER BY seq", type_)
        finally:
            await conn.close()


@pytest.fixture
def feeds_settings(settings: Settings) -> Settings:
    return pipeline_settings(settings)


@pytest.fixture
def start_feeds(feeds_settings: Settings):
    """`async with start_feeds(others=[...], **config) as feeds:` runs the service (and
    `others`) until the block ends."""
    @asynccontextmanager
    async def start(*, others=(), settings: Settings | None = None, **config) -> AsyncIterator[Feeds]:
        s = settings or feeds_settings
        spec = build_spec(**{**FAST, **config})
        async with running(s, [*others, spec]), internal_client(s, s.feeds_url, timeout=30) as c:
            yield Feeds(s, c, uuid.uuid4())
    return start


class Kit:
    """The helpers above, as a fixture (with --import-mode=importlib a conftest cannot be
    imported by the tests)."""

    rss = staticmethod(rss)
    atom = staticmethod(atom)
    video_page = staticmethod(video_page)
    wait_until = staticmethod(wait_until)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
