"""The transcoder service's SQL; nothing else touches its schema."""
from __future__ import annotations

import uuid

import asyncpg


async def record_cancel(conn: asyncpg.Connection, *, job_id: uuid.UUID, reason: str) -> None:
    """Idempotent: the first cancel of a job is the one kept."""
    await conn.execute(
        "INSERT INTO cancelled_jobs (job_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        job_id, reason)


async def is_cancelled(pool: asyncpg.Pool, *, job_id: uuid.UUID) -> bool:
    return bool(await pool.fetchval("SELECT 1 FROM cancelled_jobs WHERE job_id = $1", job_id))
