"""Appending to a service's outbox: its event log, written in the caller's transaction.

A statement trigger (bus migration) NOTIFYs `mf_outbox_<schema>`; Postgres delivers it
at commit, which wakes the relay without polling.
"""
from __future__ import annotations

import asyncpg

from ..envelope import Envelope, encode


def channel(schema: str) -> str:
    return f"mf_outbox_{schema}"


async def append(conn: asyncpg.Connection, env: Envelope, *, dedup_key: str | None = None) -> bool:
    """Insert one event; False when the dedup key says it was already emitted."""
    if env.payload.ephemeral:
        raise ValueError(f"{env.type} is ephemeral: publish it, don't store it")
    status = await conn.execute(
        "INSERT INTO outbox (id, stream, type, correlation_id, dedup_key, envelope, occurred_at)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
        env.id, env.stream, env.type, env.correlation_id, dedup_key, encode(env), env.occurred_at,
    )
    return status.endswith(" 1")


async def append_many(conn: asyncpg.Connection, envs: list[Envelope]) -> None:
    """Bulk insert (no dedup keys), for producers that emit many events at once."""
    if not envs:
        return
    await conn.copy_records_to_table(
        "outbox",
        columns=["id", "stream", "type", "correlation_id", "envelope", "occurred_at"],
        records=[(e.id, e.stream, e.type, e.correlation_id, encode(e), e.occurred_at) for e in envs],
    )
