"""One function per consumed event: decode, domain, store, outbox, in one transaction.

UrlSubmitted is long-running: it opens its transaction only at the end, with the
result (a file in staging, a link to a stored source, a failure, or nothing at all
for a cancelled job). The slow part runs in a child process (adapters.ytdlp).
"""
from __future__ import annotations

from mf_contracts.bus import Handler, HandlerContext, RetryLater
from mf_contracts.bus.context import in_inbox
from mf_contracts.envelope import Envelope
from mf_contracts.events import (
    DownloadFailed,
    JobCancelled,
    LibraryItemAdded,
    MediaDownloaded,
    MediaFileDeleted,
    MediaInfo,
    UrlSubmitted,
)
from mf_contracts.logging import get_logger
from mf_contracts.storage import remove_staging

from . import config, domain, failures, store
from .download import Cancelled, Done, Failed, Linked, Outcome, run_download

log = get_logger(__name__)


async def on_url_submitted(ctx: HandlerContext, env: Envelope[UrlSubmitted]) -> None:
    url = env.payload.url
    if await store.is_cancelled(ctx.pool, job_id=env.correlation_id):
        return await _commit_nothing(ctx)
    known = await store.find_by_url(ctx.pool, url=domain.url_key(url))
    if known is not None:  # no network at all: the library links the stored file
        return await _settle(ctx, Linked(known), url=url)
    wired = config.current(ctx.runtime)
    async with store.job_lock(ctx.pool, job_id=env.correlation_id,
                              wait_s=wired.config.kill_grace_s + 5) as locked:
        if not locked:
            raise RetryLater("an earlier attempt at this job is still stopping")
        if await in_inbox(ctx.pool, env):
            return None  # that attempt finished it: its staging folder must stay as it is
        outcome = await _download(ctx, wired, url=url)
        await _settle(ctx, outcome, url=url)


async def _download(ctx: HandlerContext, wired: config.Wired, *, url: str) -> Outcome:
    """Run the download; staging keeps a file only for a Done outcome."""
    cfg, job_id = wired.config, ctx.envelope.correlation_id
    try:
        outcome = await run_download(ctx, cfg, wired.workers, url=url)
        if isinstance(outcome, Done) and await store.is_cancelled(ctx.pool, job_id=job_id):
            outcome = Cancelled()  # cancelled while the file was being finished: cancel wins
    except OSError as exc:
        # A full or read-only media volume (the staging folder cannot be made) used to
        # be retried until dead-lettered as "repeated internal errors" (tests/faults).
        remove_staging(cfg.media_root, job_id)
        reason = failures.disk_failure_reason(exc, media_root=cfg.media_root)
        if reason is None:
            raise
        outcome = Failed(reason)
    except BaseException:
        remove_staging(cfg.media_root, job_id)  # a retry starts from an empty folder anyway
        raise
    if not isinstance(outcome, Done):
        remove_staging(cfg.media_root, job_id)
    return outcome


async def _settle(ctx: HandlerContext, outcome: Outcome, *, url: str) -> None:
    """Commit the outcome: the handler's one transaction (with its inbox row)."""
    if isinstance(outcome, Cancelled):
        log.info("download cancelled", url=url)
        return await _commit_nothing(ctx)
    if isinstance(outcome, Failed):
        log.info("download failed", url=url, reason=outcome.reason)
        async with ctx.transaction() as conn:
            await ctx.emit(conn, DownloadFailed(reason=outcome.reason, url=url))
        return None
    if isinstance(outcome, Linked):
        info = domain.linked_info(outcome.known, submitted_url=url)
        return await _downloaded(ctx, info=info, existing_sha256=outcome.known.sha256)
    await _downloaded(ctx, info=outcome.info, path=outcome.path)


async def _downloaded(ctx: HandlerContext, *, info: MediaInfo, path: str = "",
                      existing_sha256: str | None = None) -> None:
    async with ctx.transaction() as conn:
        await store.record_job_media(conn, job_id=ctx.envelope.correlation_id, info=info,
                                     existing_sha256=existing_sha256)
        await ctx.emit(conn, MediaDownloaded(path=path, info=info,
                                             existing_sha256=existing_sha256))


async def _commit_nothing(ctx: HandlerContext) -> None:
    """Only the inbox row: the job shows cancelled through JobCancelled itself."""
    async with ctx.transaction():
        pass


async def on_job_cancelled(ctx: HandlerContext, env: Envelope[JobCancelled]) -> None:
    async with ctx.transaction() as conn:
        await store.record_cancel(conn, job_id=env.correlation_id, reason=env.payload.reason)


async def on_library_item_added(ctx: HandlerContext, env: Envelope[LibraryItemAdded]) -> None:
    item = env.payload
    async with ctx.transaction() as conn:
        if not (item.extractor and item.source_id):
            return  # nothing identifies the source: it cannot be recognised later
        key = domain.source_key(extractor=item.extractor, source_id=item.source_id,
                                webpage_url=item.webpage_url or item.source_url)
        info = MediaInfo(title=item.title, source_url=item.source_url,
                         webpage_url=item.webpage_url, extractor=item.extractor,
                         source_id=item.source_id).model_dump(mode="json")
        urls = [domain.url_key(u) for u in (item.source_url, item.webpage_url) if u]
        await store.remember_source(conn, job_id=env.correlation_id, extractor=item.extractor,
                                    source_key=key, source_id=item.source_id, sha256=item.sha256,
                                    item_id=item.item_id, info=info, urls=urls)


async def on_media_file_deleted(ctx: HandlerContext, env: Envelope[MediaFileDeleted]) -> None:
    async with ctx.transaction() as conn:
        await store.forget_file(conn, sha256=env.payload.sha256)


HANDLERS: dict[str, Handler] = {
    "UrlSubmitted": Handler(on_url_submitted, long_running=True),
    "JobCancelled": Handler(on_job_cancelled),
    "LibraryItemAdded": Handler(on_library_item_added),
    "MediaFileDeleted": Handler(on_media_file_deleted),
}
