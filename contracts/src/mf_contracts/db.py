"""asyncpg pools bound to one service schema, and the numbered-SQL migration runner.

Each service owns one Postgres schema; its pool's search_path points there, so a
service's SQL never names another schema. Migrations are `NNN_name.sql` files shipped
inside a package (`<pkg>/migrations/`), applied in order, each in its own
transaction, under an advisory lock so two replicas starting together don't race.
"""
from __future__ import annotations

import re
import socket
import zlib
from dataclasses import dataclass
from importlib import resources

import asyncpg

from .logging import get_logger

log = get_logger(__name__)
_NAME = re.compile(r"^(\d{3,})_[\w-]+\.sql$")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

# The database itself is away (restarting, crashed, unreachable), as opposed to a query
# that failed. No connection: OSError (refused, reset, timed out). A connection whose
# server went away: InterfaceError, or InternalClientError when it was mid-transaction.
# A server shutting down or still recovering: OperatorIntervention (57P01-57P03) and
# connection-class (08xxx) errors. Retrying later is the remedy for all of them.
DATABASE_DOWN: tuple[type[BaseException], ...] = (
    OSError, asyncpg.InterfaceError, asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError)


def database_unreachable(exc: BaseException) -> bool:
    """DATABASE_DOWN without the OSErrors that are about files (a missing media file is
    not a database outage). Connecting fails with ConnectionError or TimeoutError, with
    gaierror while a container's name does not resolve, or with a plain OSError
    ("Multiple exceptions: ...", no errno) when several addresses were tried."""
    if isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror)):
        return True
    if isinstance(exc, OSError):
        return type(exc) is OSError and exc.errno is None
    return isinstance(exc, DATABASE_DOWN)


def check_ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a safe SQL identifier: {name!r}")
    return name


async def create_pool(dsn: str, *, schema: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    check_ident(schema)
    await ensure_schema(dsn, schema=schema)
    return await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size,
        server_settings={"search_path": schema, "application_name": f"mf_{schema}"},
    )


async def ensure_schema(dsn: str, *, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {check_ident(schema)}")
    finally:
        await conn.close()


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str


def load_migrations(package: str, *, component: str) -> list[Migration]:
    """Read `<package>/migrations/NNN_*.sql` in version order."""
    folder = resources.files(package).joinpath("migrations")
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(component, int(match.group(1)), entry.name, entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers in {package}: {versions}")
    return found


async def migrate(pool: asyncpg.Pool, *, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply what is missing; returns the names applied now."""
    applied_now: list[str] = []
    lock_key = zlib.crc32(f"mf-migrate:{schema}".encode())
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " component text NOT NULL, version int NOT NULL, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))"
            )
            done = {(r["component"], r["version"]) for r in
                    await conn.fetch("SELECT component, version FROM schema_migrations")}
            for m in migrations:
                if (m.component, m.version) in done:
                    continue
                async with conn.transaction():
                    await conn.execute(m.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (component, version, name) VALUES ($1,$2,$3)",
                        m.component, m.version, m.name)
                applied_now.append(f"{m.component}/{m.name}")
                log.info("migration applied", schema=schema, migration=m.name, component=m.component)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key)
    return applied_now
