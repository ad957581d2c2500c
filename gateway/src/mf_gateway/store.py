"""The gateway's SQL: users, sessions, extension access, the jobs projection."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

JOB_COLUMNS = ("id, user_id, url, origin, status, stage, progress, speed, eta, downloaded_bytes,"
               " total_bytes, title, error, item_id, action, created_at, updated_at, finished_at")


# -- users -------------------------------------------------------------------------
async def count_users(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM users")


async def create_user(conn: asyncpg.Connection, *, username: str, password_hash: str,
                      is_admin: bool) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO users (id, username, password_hash, is_admin) VALUES ($1,$2,$3,$4)"
        " RETURNING id, username, is_admin, created_at",
        uuid.uuid4(), username, password_hash, is_admin)


async def user_by_name(conn: asyncpg.Connection, username: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM users WHERE lower(username) = lower($1)", username)


async def user_by_id(conn: asyncpg.Connection, user_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT id, username, is_admin, created_at FROM users WHERE id = $1",
                               user_id)


async def list_users(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT id, username, is_admin, created_at FROM users ORDER BY created_at")


# -- refresh tokens ------------------------------------------------------------------
async def add_refresh(conn: asyncpg.Connection, *, user_id: uuid.UUID, family_id: uuid.UUID,
                      token_hash: bytes, expires_at: datetime) -> None:
    await conn.execute(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at)"
        " VALUES ($1,$2,$3,$4,$5)", uuid.uuid4(), user_id, family_id, token_hash, expires_at)


async def refresh_by_hash(conn: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
                               token_hash)


async def mark_rotated(conn: asyncpg.Connection, token_id: uuid.UUID) -> None:
    await conn.execute("UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1", token_id)


async def revoke_family(conn: asyncpg.Connection, family_id: uuid.UUID) -> None:
    await conn.execute("UPDATE refresh_tokens SET revoked_at = now()"
                       " WHERE family_id = $1 AND revoked_at IS NULL", family_id)


# -- extension tokens and pairing --------------------------------------------------------
async def add_extension_token(conn: asyncpg.Connection, *, user_id: uuid.UUID, name: str,
                              prefix: str, token_hash: bytes, scopes: list[str]) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO extension_tokens (id, user_id, name, prefix, token_hash, scopes)"
        " VALUES ($1,$2,$3,$4,$5,$6) RETURNING id, name, prefix, scopes, created_at, last_used_at",
        uuid.uuid4(), user_id, name, prefix, token_hash, scopes)


async def extension_token_by_prefix(conn: asyncpg.Connection, prefix: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT t.*, u.is_admin FROM extension_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.prefix = $1 AND t.revoked_at IS NULL", prefix)


async def touch_extension_token(conn: asyncpg.Connection, token_id: uuid.UUID) -> None:
    # At most once a minute: last-used is for people, not an audit log.
    await conn.execute("UPDATE extension_tokens SET last_used_at = now() WHERE id = $1"
                       " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
                       token_id)


async def list_extension_tokens(conn: asyncpg.Connection, user_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, name, prefix, scopes, created_at, last_used_at FROM extension_tokens"
        " WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC", user_id)


async def revoke_extension_token(conn: asyncpg.Connection, *, user_id: uuid.UUID,
                                 token_id: uuid.UUID) -> bool:
    status = await conn.execute("UPDATE extension_tokens SET revoked_at = now() WHERE id = $1"
                                " AND user_id = $2 AND revoked_at IS NULL", token_id, user_id)
    return status.endswith(" 1")


async def add_pairing_code(conn: asyncpg.Connection, *, code_hash: bytes, user_id: uuid.UUID,
                           scopes: list[str], expires_at: datetime) -> None:
    await conn.execute("INSERT INTO pairing_codes (code_hash, user_id, scopes, expires_at)"
                       " VALUES ($1,$2,$3,$4)", code_hash, user_id, scopes, expires_at)


async def take_pairing_code(conn: asyncpg.Connection, code_hash: bytes) -> asyncpg.Record | None:
    """Use a code once: returns its user and scopes if it was valid and unused."""
    return await conn.fetchrow(
        "UPDATE pairing_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL"
        " AND expires_at > now() RETURNING user_id, scopes", code_hash)


# -- jobs ----------------------------------------------------------------------------
async def insert_job(conn: asyncpg.Connection, *, job_id: uuid.UUID, user_id: uuid.UUID,
                     url: str, origin: str) -> asyncpg.Record:
    return await conn.fetchrow(
        f"INSERT INTO jobs (id, user_id, url, origin, status) VALUES ($1,$2,$3,$4,'queued')"
        f" ON CONFLICT (id) DO UPDATE SET id = jobs.id RETURNING {JOB_COLUMNS}",
        job_id, user_id, url, origin)


async def job_for_update(conn: asyncpg.Connection, job_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1 FOR UPDATE", job_id)


async def update_job(conn: asyncpg.Connection, job_id: uuid.UUID, **fields: Any) -> asyncpg.Record:
    names = list(fields)
    sets = ", ".join(f"{n} = ${i + 2}" for i, n in enumerate(names))
    return await conn.fetchrow(
        f"UPDATE jobs SET {sets}, updated_at = now() WHERE id = $1 RETURNING {JOB_COLUMNS}",
        job_id, *[fields[n] for n in names])


async def get_job(conn: asyncpg.Connection, *, job_id: uuid.UUID, user_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1 AND user_id = $2",
                               job_id, user_id)


async def list_jobs(conn: asyncpg.Connection, *, user_id: uuid.UUID, limit: int, offset: int,
                    status: str | None = None) -> tuple[list[asyncpg.Record], int]:
    where = "user_id = $1" + (" AND status = $4" if status else "")
    args = [user_id, limit, offset] + ([status] if status else [])
    rows = await conn.fetch(f"SELECT {JOB_COLUMNS} FROM jobs WHERE {where}"
                            " ORDER BY created_at DESC LIMIT $2 OFFSET $3", *args)
    total = await conn.fetchval(f"SELECT count(*) FROM jobs WHERE {where.replace('$4', '$2')}",
                                *([user_id] + ([status] if status else [])))
    return rows, total


async def set_progress(conn: asyncpg.Connection, job_id: uuid.UUID, **fields: Any) -> asyncpg.Record | None:
    """Progress only lands on jobs still running (a late progress never reopens a job)."""
    names = list(fields)
    sets = ", ".join(f"{n} = ${i + 2}" for i, n in enumerate(names))
    return await conn.fetchrow(
        f"UPDATE jobs SET {sets}, updated_at = now() WHERE id = $1"
        f" AND status NOT IN ('done','failed','cancelled') RETURNING {JOB_COLUMNS}",
        job_id, *[fields[n] for n in names])
