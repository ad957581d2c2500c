"""A small real service for bus tests: projects UrlSubmitted events into two tables.

Behaviours are chosen by the URL of each event, so one consumer can see good and
bad events side by side: `.../fail` raises, `.../poison` raises Poison, `.../slow`
sleeps (long handlers heartbeat through it), `.../emit` emits a DownloadStarted.
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from mf_contracts.bus import Handler, HandlerContext, Poison
from mf_contracts.envelope import Envelope
from mf_contracts.events import DownloadStarted
from mf_contracts.service import ServiceSpec

CALLS: list[str] = []  # handler invocations in this process, for heartbeat tests


def make_handler(*, consumer: str = "", sleep_s: float = 0.0, long_sleep_s: float = 3.0):
    async def on_url(ctx: HandlerContext, env: Envelope) -> None:
        url = env.payload.url
        CALLS.append(url)
        if url.endswith("/fail"):
            raise RuntimeError(f"cannot handle {url}")
        if url.endswith("/poison"):
            raise Poison(f"{url} can never work")
        if url.endswith("/slow"):
            await asyncio.sleep(long_sleep_s)
        elif sleep_s:
            await asyncio.sleep(sleep_s)
        async with ctx.transaction() as conn:
            await conn.execute("INSERT INTO effects (event_id, url, consumer) VALUES ($1,$2,$3)",
                               env.id, url, consumer)
            await conn.execute(
                "INSERT INTO tally (host, count) VALUES ($1, 1)"
                " ON CONFLICT (host) DO UPDATE SET count = tally.count + 1",
                urlsplit(url).hostname or "")
            if url.endswith("/emit"):
                await ctx.emit(conn, DownloadStarted(url=url))
    return on_url


def projection_spec(name: str, *, long_running: bool = False, consumer: str = "",
                    sleep_s: float = 0.0, long_sleep_s: float = 3.0) -> ServiceSpec:
    fn = make_handler(consumer=consumer, sleep_s=sleep_s, long_sleep_s=long_sleep_s)
    return ServiceSpec(name=name, package="mf_testkit.projection", port=lambda s: 0,
                       handlers={"UrlSubmitted": Handler(fn, long_running=long_running)},
                       projection_tables=("effects", "tally"))
