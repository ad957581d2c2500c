"""Per-user live updates: a capped Redis stream per user that the SSE endpoint follows.

Entry ids double as SSE event ids, so a client that reconnects with Last-Event-ID
resumes exactly after what it saw (as long as it is within the cap).
"""
from __future__ import annotations

import uuid
from typing import Any

import orjson
from redis.asyncio import Redis

MAXLEN = 2000


def user_stream(prefix: str, user_id: uuid.UUID | str) -> str:
    return f"{prefix}user:{user_id}:sse"


async def notify(redis: Redis, prefix: str, *, user_id: uuid.UUID | str, kind: str,
                 data: dict[str, Any]) -> None:
    await redis.xadd(user_stream(prefix, user_id),
                     {b"kind": kind, b"data": orjson.dumps(data, default=str)},
                     maxlen=MAXLEN, approximate=True)
