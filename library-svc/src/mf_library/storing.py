"""Adding a reference to content: store a staged copy, or link an already stored file.

The order, all under the sha's advisory lock (and the thumbnail's): look at the row →
publish the file if it has to be → one transaction (row + item + inbox + event) →
commit → unlock. A file therefore appears before its row commits and the GC, which
takes the same lock before deciding, never sees a committed row without its file nor
removes a file whose row is about to commit. The staging copy is removed only after
the commit, so a crash anywhere before it leaves the job re-runnable.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from mf_contracts.bus import HandlerContext
from mf_contracts.events import Event, LibraryItemAdded, MediaInfo, StoreFailed
from mf_contracts.ids import uuid7
from mf_contracts.logging import get_logger
from mf_contracts.storage import OutsideMediaRoot, confine, remove_staging

from . import store
from .adapters.fs import hash_file
from .context import Library
from .domain import VANISHED, NewItem, NewMedia, Thumb, decide_add, thumb_ext

log = get_logger(__name__)
NO_USER = "The job has no user to file the item under, so it was not stored."


@dataclass(frozen=True)
class StagedThumb:
    thumb: Thumb
    path: Path


@dataclass(frozen=True)
class AddRequest:
    """One new reference to `sha256`. `copy` is the staged file (None when linking to a
    stored one); `media` is the row to create if none exists (it needs a copy)."""

    sha256: str
    info: MediaInfo
    copy: Path | None = None
    media: NewMedia | None = None
    thumb: StagedThumb | None = None


async def staged_thumbnail(lib: Library, info: MediaInfo) -> StagedThumb | None:
    """The job's thumbnail, hashed; a missing or odd thumbnail never fails the job."""
    if not info.thumbnail_path:
        return None
    ext = thumb_ext(info.thumbnail_path)
    try:
        if ext is None:
            raise ValueError(f"not an image type we keep: {info.thumbnail_path}")
        src = confine(info.thumbnail_path, lib.fs.staging)
        hashed = await asyncio.to_thread(hash_file, src)
    except (OutsideMediaRoot, ValueError, OSError) as exc:
        log.warning("thumbnail skipped", error=str(exc))
        return None
    return StagedThumb(Thumb(hashed.sha256, ext), src)


async def add_reference(ctx: HandlerContext, lib: Library, req: AddRequest) -> None:
    env = ctx.envelope
    if env.user_id is None:
        return await emit_one(ctx, StoreFailed(reason=NO_USER))
    thumb = req.thumb.thumb if req.thumb else None
    async with store.sha_locks(lib, req.sha256, thumb.sha256 if thumb else None) as lconn:
        done = await store.item_for_job(lconn, user_id=env.user_id, job_id=env.correlation_id)
        if done is not None:  # the job already has its item: announce it again, add nothing
            return await emit_one(ctx, added_event(done))
        row = await store.media_row(lconn, req.sha256)
        ext = row["ext"] if row else (req.media.ext if req.media else None)
        dst = lib.fs.object_path(sha256=req.sha256, ext=ext) if ext else None
        on_disk = dst is not None and await asyncio.to_thread(dst.is_file)
        action = decide_add(row_exists=row is not None, file_exists=on_disk,
                            have_copy=req.copy is not None)
        if action == "vanished":
            return await emit_one(ctx, StoreFailed(reason=VANISHED))
        if action in ("insert", "restore"):
            await asyncio.to_thread(lib.fs.place, src=req.copy, dst=dst)
        if req.thumb:
            await _place_thumb(lib, req.thumb)
        await _commit(ctx, req, row=row, action=action)


async def _commit(ctx: HandlerContext, req: AddRequest, *, row: asyncpg.Record | None,
                  action: str) -> None:
    env = ctx.envelope
    duration = req.media.duration if req.media else (row["duration"] if row else None)
    item = NewItem(user_id=env.user_id, job_id=env.correlation_id, sha256=req.sha256,
                   info=req.info, duration=duration, thumb=req.thumb.thumb if req.thumb else None)
    item_id = uuid7()
    async with ctx.transaction() as conn:
        if action == "insert":
            await store.insert_media(conn, req.media)
        else:
            await store.add_ref(conn, req.sha256, file_restored=action == "restore")
        if not await store.insert_item(conn, item_id=item_id, item=item):
            # Another delivery for this job won meanwhile; roll back, and the retry
            # finds its item under the lock.
            raise RuntimeError("the job's item was created concurrently")
        size = row["size"] if row else req.media.size
        await ctx.emit(conn, LibraryItemAdded(
            item_id=str(item_id), sha256=req.sha256, title=req.info.title, size=size,
            source_url=req.info.source_url, webpage_url=req.info.webpage_url,
            extractor=req.info.extractor, source_id=req.info.source_id))
    log.info("library item added", item_id=str(item_id), sha256=req.sha256, action=action)


async def _place_thumb(lib: Library, staged: StagedThumb) -> None:
    dst = lib.fs.thumb_path(sha256=staged.thumb.sha256, ext=staged.thumb.ext)
    if not await asyncio.to_thread(dst.is_file):
        await asyncio.to_thread(lib.fs.place, src=staged.path, dst=dst)


def added_event(item: asyncpg.Record) -> LibraryItemAdded:
    return LibraryItemAdded(
        item_id=str(item["id"]), sha256=item["sha256"], title=item["title"], size=item["size"],
        source_url=item["source_url"], webpage_url=item["webpage_url"],
        extractor=item["extractor"], source_id=item["source_id"])


async def emit_one(ctx: HandlerContext, payload: Event) -> None:
    async with ctx.transaction() as conn:
        await ctx.emit(conn, payload)


async def clean_staging(lib: Library, *, job_id, staged: Path | None = None) -> None:
    """Drop the job's staging folder (and the staged file, wherever in staging it was)."""
    def clean() -> None:
        if staged is not None:
            staged.unlink(missing_ok=True)
        remove_staging(lib.fs.root, job_id)
    await asyncio.to_thread(clean)
