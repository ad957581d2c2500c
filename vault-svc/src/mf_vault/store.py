"""The vault service's SQL; nothing else touches its schema.

Every change to a jar happens under `lock_jar` (a transaction-scoped advisory lock on
(user, site)): a jar is read, merged and rewritten, so two writers must take turns or
one's cookies would be lost. Locks are taken in site order to avoid deadlocks.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from mf_contracts.bus import outbox
from mf_contracts.envelope import new_envelope
from mf_contracts.events import Event

from .adapters.aesgcm import Sealed


@dataclass(frozen=True)
class JarRow:
    user_id: uuid.UUID
    site: str
    sealed: Sealed
    cookie_count: int
    earliest_expiry: datetime | None
    updated_at: datetime


_COLUMNS = "user_id, site, key_id, nonce, ciphertext, cookie_count, earliest_expiry, updated_at"


def _row(rec: asyncpg.Record) -> JarRow:
    return JarRow(user_id=rec["user_id"], site=rec["site"],
                  sealed=Sealed(key_id=rec["key_id"], nonce=bytes(rec["nonce"]),
                                ciphertext=bytes(rec["ciphertext"])),
                  cookie_count=rec["cookie_count"], earliest_expiry=rec["earliest_expiry"],
                  updated_at=rec["updated_at"])


async def lock_jar(conn: asyncpg.Connection, *, user_id: uuid.UUID, site: str) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                       f"mf-vault-jar|{user_id}|{site}")


async def fetch_jar(conn: asyncpg.Connection | asyncpg.Pool, *, user_id: uuid.UUID,
                    site: str) -> JarRow | None:
    rec = await conn.fetchrow(f"SELECT {_COLUMNS} FROM cookie_jars WHERE user_id = $1 AND site = $2",
                              user_id, site)
    return _row(rec) if rec else None


async def upsert_jar(conn: asyncpg.Connection, *, user_id: uuid.UUID, site: str, sealed: Sealed,
                     cookie_count: int, earliest_expiry: datetime | None) -> datetime:
    return await conn.fetchval(
        "INSERT INTO cookie_jars (user_id, site, key_id, nonce, ciphertext, cookie_count,"
        " earliest_expiry, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7, now())"
        " ON CONFLICT (user_id, site) DO UPDATE SET key_id = EXCLUDED.key_id,"
        " nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,"
        " cookie_count = EXCLUDED.cookie_count, earliest_expiry = EXCLUDED.earliest_expiry,"
        " updated_at = now() RETURNING updated_at",
        user_id, site, sealed.key_id, sealed.nonce, sealed.ciphertext, cookie_count,
        earliest_expiry)


async def reseal_jar(conn: asyncpg.Connection, *, user_id: uuid.UUID, site: str,
                     was_key_id: str, sealed: Sealed) -> bool:
    """Swap the ciphertext for the same cookies under another key; the cookies did not
    change, so updated_at stays. False if the row moved on meanwhile."""
    status = await conn.execute(
        "UPDATE cookie_jars SET key_id = $4, nonce = $5, ciphertext = $6"
        " WHERE user_id = $1 AND site = $2 AND key_id = $3",
        user_id, site, was_key_id, sealed.key_id, sealed.nonce, sealed.ciphertext)
    return status == "UPDATE 1"


async def delete_jar(conn: asyncpg.Connection, *, user_id: uuid.UUID, site: str) -> bool:
    status = await conn.execute("DELETE FROM cookie_jars WHERE user_id = $1 AND site = $2",
                                user_id, site)
    return status == "DELETE 1"


async def list_jars(pool: asyncpg.Pool, *, user_id: uuid.UUID) -> list[JarRow]:
    recs = await pool.fetch(f"SELECT {_COLUMNS} FROM cookie_jars WHERE user_id = $1 ORDER BY site",
                            user_id)
    return [_row(r) for r in recs]


async def jars_not_under(pool: asyncpg.Pool, *, key_id: str) -> list[tuple[uuid.UUID, str, str]]:
    """(user_id, site, key_id) of every jar sealed under another key than `key_id`."""
    recs = await pool.fetch("SELECT user_id, site, key_id FROM cookie_jars WHERE key_id <> $1"
                            " ORDER BY user_id, site", key_id)
    return [(r["user_id"], r["site"], r["key_id"]) for r in recs]


async def count_under(pool: asyncpg.Pool, *, key_id: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM cookie_jars WHERE key_id = $1", key_id)


async def emit(conn: asyncpg.Connection, payload: Event, *, user_id: uuid.UUID,
               correlation_id: uuid.UUID) -> None:
    """Append to the outbox in the caller's transaction: the jar change and its event
    commit together. The vault answers commands, it consumes no event, so these have
    no cause and no dedup key."""
    env = new_envelope(payload, correlation_id=correlation_id, user_id=user_id)
    await outbox.append(conn, env)
