"""The feeds service's runtime configuration, set up at start-up.

`app.on_start` keeps it in the service's Runtime.state; the scheduler and the API reach
it through the runtime, so two feed services in one process (tests) each see their own.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from mf_contracts.settings import Settings

from .adapters.listers import ListerPool
from .domain import JITTER, MAX_BACKOFF_S


@dataclass(frozen=True)
class FeedsConfig:
    allow_private_networks: bool = False
    default_interval_s: int = 3600
    # Checking more often than this is impolite to the sites (and gets feeds banned).
    min_interval_s: int = 300
    max_interval_s: int = 7 * 24 * 3600
    # Polls at once; a hanging site holds one slot until its timeout, never the others.
    concurrency: int = 4
    # How often the scheduler looks for due feeds (it is also woken by new subscriptions).
    tick_s: float = 5.0
    # A whole poll (cookie look-up, fetch, parse or yt-dlp listing). Below the gateway's
    # 30 s internal timeout, so "poll now" answers rather than timing out there.
    poll_timeout_s: float = 25.0
    max_backoff_s: float = MAX_BACKOFF_S
    jitter: float = JITTER
    # Entries read per poll (a channel's newest first); a feed body larger than this fails.
    max_items: int = 200
    max_feed_bytes: int = 16 * 2**20
    user_agent: str = "Mozilla/5.0 (compatible; MediaFetcher feed reader)"
    # Keep a warmed-up yt-dlp lister process idle, ready for the next listing.
    warm_lister: bool = True

    @property
    def lease_s(self) -> float:
        """A claimed feed is not claimed again for this long (replicas, crashes)."""
        return self.poll_timeout_s + 30

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FeedsConfig:
        return replace(cls(allow_private_networks=settings.allow_private_networks), **overrides)


@dataclass
class Wired:
    config: FeedsConfig
    listers: ListerPool
    # Set by a new subscription so its first poll need not wait for the next tick.
    wake: asyncio.Event = field(default_factory=asyncio.Event)


def use(rt, wired: Wired) -> None:
    rt.state["feeds"] = wired


def current(rt) -> Wired:
    try:
        return rt.state["feeds"]
    except (KeyError, AttributeError):
        raise RuntimeError("the feeds service is wired by app.on_start") from None
