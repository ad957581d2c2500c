"""A JobCancelled consumer that running transcodes cannot starve.

The shared Consumer reads only as many entries as it has free long-handler slots.
With every slot transcoding (transcode_concurrency is 1 by default) it reads nothing
at all, JobCancelled included, so the cancel a running ffmpeg polls for would only
arrive after ffmpeg had finished. This lane reads the `jobs` stream in the same
consumer group with short handlers only: a cancel is applied within one read, and
both consumers share the group, so each JobCancelled is handled once either way.
"""
from __future__ import annotations

import asyncio

from mf_contracts.bus.config import BusConfig
from mf_contracts.bus.consumer import Consumer
from mf_contracts.service import Runtime

from .handlers import HANDLERS

LANE_EVENTS = ("JobCancelled",)


async def cancel_lane(rt: Runtime, stop: asyncio.Event) -> None:
    consumer = Consumer(pool=rt.pool, redis=rt.redis, keys=rt.keys, group=rt.spec.name,
                        handlers={t: HANDLERS[t] for t in LANE_EVENTS},
                        config=BusConfig.from_settings(rt.settings), publisher=rt.publisher)
    await consumer.run(stop)
