"""One function per consumed event: decode, domain, store, outbox, in one transaction.

Both handlers are long-running: hashing a large file takes seconds, and linking
must hold the same per-sha lock across its commit as storing does (see storing.py),
which a batched short handler cannot (its batch commits after it returns).
Disk failures a retry cannot fix end the job with StoreFailed and a plain reason;
anything else is raised and retried, with the staged copy kept for the retry.
"""
from __future__ import annotations

import asyncio

from mf_contracts.bus import Handler, HandlerContext
from mf_contracts.envelope import Envelope
from mf_contracts.events import MediaDownloaded, MediaTranscoded, StoreFailed
from mf_contracts.logging import get_logger
from mf_contracts.storage import OutsideMediaRoot, confine

from . import store
from .adapters.fs import hash_file
from .context import Library, for_pool
from .domain import OUTSIDE_STAGING, disk_failure_reason, is_sha256, new_media
from .storing import (
    AddRequest,
    add_reference,
    added_event,
    clean_staging,
    emit_one,
    staged_thumbnail,
)

log = get_logger(__name__)
BAD_SHA = "The downloader named a stored file that is not a valid SHA-256, so nothing was linked."


async def on_media_transcoded(ctx: HandlerContext, env: Envelope[MediaTranscoded]) -> None:
    """Hash the browser-playable file and store it once (or count one more reference)."""
    lib = for_pool(ctx.pool)
    p = env.payload
    if await _announce_if_done(ctx, lib):
        return
    try:
        src = confine(p.path, lib.fs.staging)
    except OutsideMediaRoot:
        return await _refuse(ctx, lib, reason=OUTSIDE_STAGING)
    try:
        hashed = await asyncio.to_thread(hash_file, src)
        req = AddRequest(sha256=hashed.sha256, info=p.info, copy=src,
                         media=new_media(sha256=hashed.sha256, size=hashed.size, probe=p.probe),
                         thumb=await staged_thumbnail(lib, p.info))
        await add_reference(ctx, lib, req)
    except OSError as exc:
        reason = disk_failure_reason(exc)
        if reason is None or ctx.committed:
            raise
        log.warning("store failed", error=str(exc), path=str(src))
        return await _refuse(ctx, lib, reason=reason)
    await clean_staging(lib, job_id=env.correlation_id, staged=src)


async def on_media_downloaded(ctx: HandlerContext, env: Envelope[MediaDownloaded]) -> None:
    """Only the "already stored" case is ours: a new item linked to the stored file.
    A MediaDownloaded with a staged file is the transcoder's."""
    p = env.payload
    if not p.existing_sha256:
        return
    lib = for_pool(ctx.pool)
    if await _announce_if_done(ctx, lib):
        return
    if not is_sha256(p.existing_sha256):
        return await _refuse(ctx, lib, reason=BAD_SHA)
    req = AddRequest(sha256=p.existing_sha256, info=p.info,
                     thumb=await staged_thumbnail(lib, p.info))
    await add_reference(ctx, lib, req)
    await clean_staging(lib, job_id=env.correlation_id)


async def _refuse(ctx: HandlerContext, lib: Library, *, reason: str) -> None:
    """End the job with StoreFailed, unless another delivery for it already succeeded
    (its cleanup may be exactly why our staged file is gone)."""
    if await _announce_if_done(ctx, lib):
        return
    await emit_one(ctx, StoreFailed(reason=reason))
    await clean_staging(lib, job_id=ctx.envelope.correlation_id)


async def _announce_if_done(ctx: HandlerContext, lib: Library) -> bool:
    """A job that already has its item (an event delivered again, or sent twice) only
    has it announced again; nothing is hashed, stored or counted."""
    env = ctx.envelope
    if env.user_id is None:
        return False
    done = await store.item_for_job(lib.pool, user_id=env.user_id, job_id=env.correlation_id)
    if done is None:
        return False
    await emit_one(ctx, added_event(done))
    await clean_staging(lib, job_id=env.correlation_id)
    return True


HANDLERS: dict[str, Handler] = {
    "MediaTranscoded": Handler(on_media_transcoded, long_running=True),
    "MediaDownloaded": Handler(on_media_downloaded, long_running=True),
}
