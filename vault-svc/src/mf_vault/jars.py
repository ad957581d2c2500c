"""What the vault does for its callers: domain decisions + store + the key ring.

Cookie values exist in clear only inside these functions' locals, on their way to
or from the cipher. Log lines carry sites and counts, never cookies.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import asyncpg
from mf_contracts.events import CookieJarDeleted, CookieJarStored
from mf_contracts.logging import get_logger

from . import domain, store
from .adapters.aesgcm import DecryptError, KeyRing
from .domain import Cookie, JarUnreadable

log = get_logger(__name__)


class JarNotFound(LookupError):
    pass


@dataclass(frozen=True)
class JarSummary:
    site: str
    count: int
    earliest_expiry: datetime | None

    def as_json(self) -> dict:
        expiry = self.earliest_expiry.isoformat() if self.earliest_expiry else None
        return {"site": self.site, "count": self.count, "earliest_expiry": expiry}


def open_jar(ring: KeyRing, row: store.JarRow) -> list[Cookie]:
    try:
        plaintext = ring.open(row.sealed, aad=domain.aad(user_id=row.user_id, site=row.site))
    except DecryptError as exc:
        log.warning("cookie jar failed authentication", site=row.site, key_id=row.sealed.key_id,
                    reason=str(exc))
        raise JarUnreadable(site=row.site) from None
    return domain.jar_cookies(plaintext)


async def store_cookies(*, pool: asyncpg.Pool, ring: KeyRing, user_id: uuid.UUID,
                        cookies: Iterable[Cookie], from_netscape: bool = False) -> list[JarSummary]:
    """Merge the cookies into the user's jars, one per site, in one transaction, with a
    CookieJarStored (or CookieJarDeleted, when nothing unexpired is left) per site."""
    groups = domain.group_by_site(cookies)
    correlation_id = uuid.uuid4()
    now = time.time()
    async with pool.acquire() as conn, conn.transaction():
        summaries = [
            await _store_site(conn, ring=ring, user_id=user_id, site=site, incoming=groups[site],
                              now=now, correlation_id=correlation_id, from_netscape=from_netscape)
            for site in sorted(groups)]
    log.info("cookie jars stored", sites={s.site: s.count for s in summaries},
             source="netscape" if from_netscape else "browser")
    return summaries


async def _store_site(conn: asyncpg.Connection, *, ring: KeyRing, user_id: uuid.UUID, site: str,
                      incoming: list[Cookie], now: float, correlation_id: uuid.UUID,
                      from_netscape: bool) -> JarSummary:
    await store.lock_jar(conn, user_id=user_id, site=site)
    row = await store.fetch_jar(conn, user_id=user_id, site=site)
    existing: list[Cookie] = []
    if row is not None:
        try:
            existing = open_jar(ring, row)
        except JarUnreadable:
            # The jar is useless as it is; the browser's fresh cookies replace it.
            log.warning("unreadable cookie jar replaced by the new cookies", site=site)
    jar = domain.merge(existing, incoming, now=now, keep_unexpressed=from_netscape)
    if len(jar) > domain.MAX_COOKIES_PER_JAR:
        raise domain.JarTooLarge(site=site, count=len(jar))
    if not jar:
        if row is not None and await store.delete_jar(conn, user_id=user_id, site=site):
            await store.emit(conn, CookieJarDeleted(site=site), user_id=user_id,
                             correlation_id=correlation_id)
        return JarSummary(site=site, count=0, earliest_expiry=None)
    sealed = ring.seal(domain.jar_plaintext(jar), aad=domain.aad(user_id=user_id, site=site))
    expiry = domain.earliest_expiry(jar)
    await store.upsert_jar(conn, user_id=user_id, site=site, sealed=sealed,
                           cookie_count=len(jar), earliest_expiry=expiry)
    await store.emit(conn, CookieJarStored(site=site, count=len(jar)), user_id=user_id,
                     correlation_id=correlation_id)
    return JarSummary(site=site, count=len(jar), earliest_expiry=expiry)


async def list_jars(*, pool: asyncpg.Pool, user_id: uuid.UUID) -> list[dict]:
    """Sites with counts and dates; answered from plain columns, nothing is decrypted."""
    rows = await store.list_jars(pool, user_id=user_id)
    return [{**JarSummary(site=r.site, count=r.cookie_count,
                          earliest_expiry=r.earliest_expiry).as_json(),
             "updated_at": r.updated_at.isoformat()} for r in rows]


async def delete_jar(*, pool: asyncpg.Pool, user_id: uuid.UUID, site: str) -> None:
    site = site.strip().lstrip(".").lower()
    async with pool.acquire() as conn, conn.transaction():
        await store.lock_jar(conn, user_id=user_id, site=site)
        if not await store.delete_jar(conn, user_id=user_id, site=site):
            raise JarNotFound(f"no cookie jar for {site}")
        await store.emit(conn, CookieJarDeleted(site=site), user_id=user_id,
                         correlation_id=uuid.uuid4())
    log.info("cookie jar deleted", site=site)


def site_of_url(url: str) -> str:
    """The site of an absolute URL (checked by the caller: it has a host)."""
    return domain.site_of(urlsplit(url).hostname or "")


async def import_netscape(*, pool: asyncpg.Pool, ring: KeyRing, user_id: uuid.UUID, url: str,
                          cookies: list[Cookie]) -> list[JarSummary]:
    """Take back the cookie file yt-dlp rewrote for `url`. Only the URL's site is
    updated: that is the jar the file came from; cookies other sites set during the run
    (a CDN, a tracker) are not the user's jars and are dropped."""
    site = site_of_url(url)
    mine = [c for c in cookies if domain.site_of(c.domain) == site]
    if len(mine) < len(cookies):
        log.info("cookies of other sites ignored", site=site, ignored=len(cookies) - len(mine))
    return await store_cookies(pool=pool, ring=ring, user_id=user_id, cookies=mine,
                               from_netscape=True)


async def jar_for_url(*, pool: asyncpg.Pool, ring: KeyRing, user_id: uuid.UUID,
                      url: str) -> tuple[str, list[Cookie]]:
    """The unexpired cookies of the jar for the URL's site (the whole site: a download
    may be redirected to another subdomain; yt-dlp picks what each request gets)."""
    site = site_of_url(url)
    row = await store.fetch_jar(pool, user_id=user_id, site=site)
    cookies = domain.live(open_jar(ring, row), now=time.time()) if row else []
    if not cookies:
        raise JarNotFound(f"no cookies stored for {site}")
    log.info("cookie jar exported", site=site, count=len(cookies))
    return site, cookies


@dataclass
class RotationReport:
    current_key_id: str
    rotated: int = 0
    already_current: int = 0
    unknown_key: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)
    unreadable: list[tuple[uuid.UUID, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unknown_key and not self.unreadable


async def rotate(*, pool: asyncpg.Pool, ring: KeyRing) -> RotationReport:
    """Re-seal every jar that is not under the current key, each in its own transaction
    (a failure midway keeps what was done; running again finishes it). A jar whose key
    is not configured, or that fails authentication, is reported and left as it is:
    the operator may still find the key."""
    report = RotationReport(current_key_id=ring.current_id)
    for user_id, site, old_key_id in await store.jars_not_under(pool, key_id=ring.current_id):
        if old_key_id not in ring.key_ids:
            report.unknown_key.append((user_id, site, old_key_id))
            continue
        async with pool.acquire() as conn, conn.transaction():
            await store.lock_jar(conn, user_id=user_id, site=site)
            row = await store.fetch_jar(conn, user_id=user_id, site=site)
            if row is None or row.sealed.key_id == ring.current_id:
                continue  # deleted or rewritten by an upload meanwhile: nothing to rotate
            try:
                plaintext = ring.open(row.sealed, aad=domain.aad(user_id=user_id, site=site))
            except DecryptError:
                report.unreadable.append((user_id, site))
                continue
            sealed = ring.seal(plaintext, aad=domain.aad(user_id=user_id, site=site))
            if await store.reseal_jar(conn, user_id=user_id, site=site,
                                      was_key_id=row.sealed.key_id, sealed=sealed):
                report.rotated += 1
    report.already_current = await store.count_under(pool, key_id=ring.current_id) - report.rotated
    log.info("vault key rotation", rotated=report.rotated, already_current=report.already_current,
             unknown_key=len(report.unknown_key), unreadable=len(report.unreadable))
    return report
