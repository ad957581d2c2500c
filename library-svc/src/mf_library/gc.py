"""The GC sweep: files without a row, rows without a file, dead staging folders.

Deciding from a snapshot is never enough: between the walk and the query a file can
be published for a row about to commit, or a row's file unlinked after its last item
went. So every destructive or flagging decision is re-checked under the sha's advisory
lock, the same lock storing and deleting hold across their filesystem step. A sweep
therefore never removes a file whose row commits, nor flags a row whose file is on its
way. One sweep at a time per library (a try-lock): a second one just reports `skipped`.
"""
from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import asdict

from mf_contracts.logging import get_logger
from mf_contracts.service import Runtime

from . import store
from .adapters.fs import Found, remove_tree
from .context import Library, library_of, unbind
from .domain import (
    TEMP_MAX_AGE_S,
    TEMP_PREFIX,
    GcReport,
    parse_object_relpath,
    parse_thumb_relpath,
    staging_is_stale,
)

log = get_logger(__name__)


async def gc_sweep(rt: Runtime) -> GcReport:
    """One sweep over objects/, thumbs/ and staging/; returns what it did."""
    lib = library_of(rt)
    report = GcReport()
    key = zlib.crc32(f"mf-library-gc:{lib.schema}".encode())
    async with lib.pool.acquire() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            report.skipped = True
            return report
        try:
            await _sweep_objects(lib, report)
            await _sweep_thumbs(lib, report)
            await _sweep_staging(lib, report)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
    log.info("gc sweep done", **asdict(report))
    return report


async def _sweep_objects(lib: Library, report: GcReport) -> None:
    found = await asyncio.to_thread(lib.fs.walk_objects)
    rows = await store.media_index(lib.pool)
    on_disk: set[tuple[str, str]] = set()
    now = time.time()
    for f in found:
        parsed = parse_object_relpath(f.rel)
        if parsed is None:
            await _maybe_remove_temp(lib, f, now=now, report=report)
            continue
        report.objects_seen += 1
        on_disk.add(parsed)
        row = rows.get(parsed[0])
        if (row is None or row["ext"] != parsed[1]) and await _remove_orphan(lib, f, sha=parsed[0], ext=parsed[1]):
            report.orphans_removed += 1
    for sha, row in rows.items():
        present = (sha, row["ext"]) in on_disk
        if not present and row["missing_since"] is None:
            if await _flag_missing(lib, sha=sha, ext=row["ext"]):
                report.missing_marked += 1
        elif present and row["missing_since"] is not None:
            async with store.sha_locks(lib, sha) as conn:
                if await store.set_missing(conn, sha, missing=False):
                    report.missing_cleared += 1
                    log.info("media file is back", sha256=sha)


async def _remove_orphan(lib: Library, f: Found, *, sha: str, ext: str) -> bool:
    async with store.sha_locks(lib, sha) as conn:
        row = await store.media_row(conn, sha)
        if row is not None and row["ext"] == ext:
            return False  # its row committed after our snapshot
        removed = await asyncio.to_thread(lib.fs.remove, f.path)
    if removed:
        log.warning("removed a media file without a row", path=str(f.path))
    return removed


async def _flag_missing(lib: Library, *, sha: str, ext: str) -> bool:
    async with store.sha_locks(lib, sha) as conn:
        if await store.media_row(conn, sha) is None:
            return False  # deleted after our snapshot, file and all
        if await asyncio.to_thread(lib.fs.object_path(sha256=sha, ext=ext).is_file):
            return False  # published after our walk
        flagged = await store.set_missing(conn, sha, missing=True)
    if flagged:
        log.error("media file missing from storage; its items are kept but cannot play",
                  sha256=sha, path=str(lib.fs.object_path(sha256=sha, ext=ext)))
    return flagged


async def _maybe_remove_temp(lib: Library, f: Found, *, now: float, report: GcReport) -> None:
    """Our temporary names left by a crash mid-copy; anything else is not ours to judge."""
    stale_temp = f.rel.name.startswith(TEMP_PREFIX) and now - f.mtime > TEMP_MAX_AGE_S
    if stale_temp and await asyncio.to_thread(lib.fs.remove, f.path):
        report.temp_removed += 1


async def _sweep_thumbs(lib: Library, report: GcReport) -> None:
    found = await asyncio.to_thread(lib.fs.walk_thumbs)
    referenced = await store.referenced_thumbs(lib.pool)
    for f in found:
        parsed = parse_thumb_relpath(f.rel)
        if parsed is None or parsed in referenced:
            continue
        async with store.sha_locks(lib, parsed[0]) as conn:
            if await store.thumb_referenced(conn, sha256=parsed[0], ext=parsed[1]):
                continue
            if await asyncio.to_thread(lib.fs.remove, f.path):
                report.thumbs_removed += 1


async def _sweep_staging(lib: Library, report: GcReport) -> None:
    now = time.time()
    for folder, newest in await asyncio.to_thread(lib.fs.staging_folders):
        if staging_is_stale(newest_mtime=newest, now=now):
            log.warning("removing abandoned staging folder", path=str(folder))
            await asyncio.to_thread(remove_tree, folder)
            report.staging_removed += 1


async def gc_task(rt: Runtime, stop: asyncio.Event) -> None:
    """Sweep at start, then every gc_interval_s, until the service stops."""
    try:
        while not stop.is_set():
            try:
                await gc_sweep(rt)
            except Exception as exc:  # noqa: BLE001 - a failed sweep must not stop the service
                log.error("gc sweep failed; next one at the interval", error=repr(exc))
            try:
                await asyncio.wait_for(stop.wait(), rt.settings.gc_interval_s)
            except TimeoutError:
                pass
    finally:
        unbind(rt)
