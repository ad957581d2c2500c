"""Ephemeral events (progress): straight to a capped stream, never stored."""
from __future__ import annotations

from redis.asyncio import Redis

from ..envelope import Envelope, encode
from .keys import Keys


class EphemeralPublisher:
    def __init__(self, *, redis: Redis, keys: Keys, maxlen: int = 10_000) -> None:
        self.redis, self.keys, self.maxlen = redis, keys, maxlen

    async def publish_ephemeral(self, env: Envelope) -> None:
        await self.redis.xadd(self.keys.stream(env.stream), {b"e": encode(env)},
                              maxlen=self.maxlen, approximate=True)
