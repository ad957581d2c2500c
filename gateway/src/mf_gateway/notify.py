"""Per-user live updates: a capped Redis stream per user that the SSE endpoint follows.

Entry ids double as SSE event ids, so a client that reconnects with Last-Event-ID
resumes exactly after what it saw (as long as it is within the cap).
"""
from __future__ import annotations

import uuid
from typing import Any

import orjson
from mf_contracts.logging import get_logger
from redis.asyncio import Redis
from redis.exceptions import RedisError

MAXLEN = 2000
log = get_logger(__name__)


def user_stream(prefix: str, user_id: uuid.UUID | str) -> str:
    return f"{prefix}user:{user_id}:sse"


async def notify(redis: Redis, prefix: str, *, user_id: uuid.UUID | str, kind: str,
                 data: dict[str, Any]) -> None:
    """Best effort: it runs after the change committed (the jobs table is the truth).

    A Redis hiccup here used to turn `POST /api/jobs` into a 500 for a job that was
    already stored and submitted, inviting a duplicate retry, and could end the
    progress follower (tests/faults). Now it costs one live update, nothing else.
    """
    try:
        await redis.xadd(user_stream(prefix, user_id),
                         {b"kind": kind, b"data": orjson.dumps(data, default=str)},
                         maxlen=MAXLEN, approximate=True)
    except (RedisError, OSError) as exc:
        log.warning("live update not sent", kind=kind, error=str(exc))
