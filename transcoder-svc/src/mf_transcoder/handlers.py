"""One function per consumed event: decode, domain, store, outbox, in one transaction.

MediaDownloaded is long-running: the probe and ffmpeg run first, with no transaction
open, and the one transaction at the end commits the outcome (MediaTranscoded,
TranscodeFailed, or for a cancelled job nothing but the inbox row). A broken file is
not an exception: it is a TranscodeFailed, committed like any other outcome.
"""
from __future__ import annotations

import uuid
from functools import partial
from pathlib import Path

from mf_contracts.bus import Handler, HandlerContext
from mf_contracts.envelope import Envelope
from mf_contracts.events import (
    DownloadProgress,
    JobCancelled,
    MediaDownloaded,
    MediaTranscoded,
    TranscodeFailed,
)
from mf_contracts.logging import get_logger
from mf_contracts.settings import Settings
from mf_contracts.storage import OutsideMediaRoot, confine, remove_staging, staging_dir
from redis.exceptions import RedisError

from . import store
from .job import Cancelled, Failed, JobIO, Outcome, Transcoded, transcode

log = get_logger(__name__)


async def on_media_downloaded(ctx: HandlerContext, env: Envelope[MediaDownloaded]) -> None:
    if env.payload.existing_sha256:
        return  # already stored: the library links the new item to that file
    settings, job_id = ctx.runtime.settings, env.correlation_id
    if await store.is_cancelled(ctx.pool, job_id=job_id):
        return await _settle(ctx, settings, source=None, outcome=Cancelled())
    staging = staging_dir(settings.media_root, job_id)
    try:
        # The job's own folder, not just the media root: the input is deleted after
        # a conversion, and a stored object must never be mistaken for an input.
        source = confine(env.payload.path, staging)
    except OutsideMediaRoot:
        return await _settle(ctx, settings, source=None, outcome=Failed(
            "The downloaded file is not in the job's staging folder; refused"))
    io = JobIO(preset=settings.ffmpeg_preset, crf=settings.ffmpeg_crf,
               is_cancelled=partial(store.is_cancelled, ctx.pool, job_id=job_id),
               report=partial(_report, ctx))
    outcome = await transcode(source=source, staging=staging, io=io)
    if isinstance(outcome, Transcoded) and await store.is_cancelled(ctx.pool, job_id=job_id):
        outcome = Cancelled()  # cancelled while the result was being checked: cancel wins
    await _settle(ctx, settings, source=source, outcome=outcome)


async def _settle(ctx: HandlerContext, settings: Settings, *, source: Path | None,
                  outcome: Outcome) -> None:
    """Commit the outcome in the handler's one transaction.

    Staging goes before the commit on failure and cancel (once the event is out, the
    job is over and nothing may be left behind). The input of a conversion goes only
    after the commit: deleted earlier, a crash before the commit would leave the
    redelivered event without its file and turn a good job into a failure.
    """
    job_id: uuid.UUID = ctx.envelope.correlation_id
    if isinstance(outcome, Cancelled):
        log.info("transcode cancelled")
        remove_staging(settings.media_root, job_id)
        async with ctx.transaction():
            return
    if isinstance(outcome, Failed):
        log.info("transcode failed", reason=outcome.reason)
        remove_staging(settings.media_root, job_id)
        async with ctx.transaction() as conn:
            await ctx.emit(conn, TranscodeFailed(reason=outcome.reason))
        return
    async with ctx.transaction() as conn:
        await ctx.emit(conn, MediaTranscoded(
            path=str(outcome.path), action=outcome.action, probe=outcome.result.to_contract(),
            source=outcome.source.to_contract(), info=ctx.envelope.payload.info))
    if source is not None and source != outcome.path:
        source.unlink(missing_ok=True)


async def _report(ctx: HandlerContext, percent: float) -> None:
    """Progress is ephemeral: losing an update must never cost the transcode."""
    try:
        await ctx.progress(DownloadProgress(stage="transcode", percent=percent))
    except (RedisError, OSError) as exc:
        log.warning("progress not published", error=str(exc))


async def on_job_cancelled(ctx: HandlerContext, env: Envelope[JobCancelled]) -> None:
    async with ctx.transaction() as conn:
        await store.record_cancel(conn, job_id=env.correlation_id, reason=env.payload.reason)


HANDLERS: dict[str, Handler] = {
    "MediaDownloaded": Handler(on_media_downloaded, long_running=True),
    "JobCancelled": Handler(on_job_cancelled),
}
