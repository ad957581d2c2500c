"""Following one download process from start to outcome (the slow part of UrlSubmitted).

No transaction is held here: the handler commits the outcome afterwards. While the
worker runs, the job's cancellation is polled in the store (any replica may have
recorded it) and progress is published, throttled per job.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mf_contracts.bus import HandlerContext, RetryLater
from mf_contracts.events import DownloadProgress, DownloadStarted, MediaInfo
from mf_contracts.logging import get_logger
from mf_contracts.storage import confine, remove_staging, staging_dir
from redis.exceptions import RedisError

from . import domain, failures, store
from .adapters.cookies import cookie_file
from .adapters.ytdlp import Worker, WorkerPool
from .config import DownloaderConfig

log = get_logger(__name__)


@dataclass(frozen=True)
class Done:
    path: str
    info: MediaInfo


@dataclass(frozen=True)
class Linked:
    """Extraction showed a source the library already has: nothing was downloaded."""

    known: domain.KnownSource


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Cancelled:
    pass


Outcome = Done | Linked | Failed | Cancelled


async def run_download(ctx: HandlerContext, cfg: DownloaderConfig, workers: WorkerPool, *,
                       url: str) -> Outcome:
    """Download `url` into the job's staging folder; the worker is gone when this returns.

    The folder is emptied first: after a crash the event comes back to a folder that
    may hold a half-written file of the previous attempt.
    """
    job_id = ctx.envelope.correlation_id
    remove_staging(cfg.media_root, job_id)
    staging = staging_dir(cfg.media_root, job_id)
    params = domain.ytdlp_options(staging=staging, socket_timeout_s=cfg.socket_timeout_s,
                                  retries=cfg.retries)
    async with cookie_file(ctx.runtime.settings, user_id=ctx.envelope.user_id, url=url) as jar:
        if jar.path is not None:
            params["cookiefile"] = str(jar.path)
        job = {"url": url, "staging": str(staging), "allow_private": cfg.allow_private_networks,
               "params": params}
        worker = await workers.take()
        try:
            await worker.begin(job=job)
            outcome = await _follow(ctx, cfg, worker, url=url, staging=staging)
        finally:
            await worker.stop(grace_s=cfg.kill_grace_s)
    if jar.vault_down and isinstance(outcome, Failed) and failures.needs_sign_in(outcome.reason):
        # The user's cookies may be exactly what the site wants, and only the vault being
        # away kept them from it: not the user's failure. The event stays pending and is
        # tried again (a vault restart takes seconds); most downloads need no cookies and
        # never wait for the vault.
        raise RetryLater(f"the cookie vault is unreachable and the site asks for a sign-in "
                         f"({outcome.reason})")
    return outcome


async def _follow(ctx: HandlerContext, cfg: DownloaderConfig, worker: Worker, *, url: str,
                  staging: Path) -> Outcome:
    job_id = ctx.envelope.correlation_id
    throttle: domain.Throttle[dict[str, Any]] = domain.Throttle(cfg.progress_interval_s)
    next_check = 0.0
    while True:
        if time.monotonic() >= next_check:
            if await store.is_cancelled(ctx.pool, job_id=job_id):
                return Cancelled()
            next_check = time.monotonic() + cfg.cancel_poll_s
        message = await worker.next_message(timeout=max(next_check - time.monotonic(), 0.01))
        kind = (message or {}).get("type")
        if kind == "info":
            known = await _on_info(ctx, worker, message["info"], url=url)
            if known is not None:
                return Linked(known)
        elif kind == "progress":
            await _on_progress(ctx, throttle, message)
        elif kind in ("done", "error", "exit"):
            if (held := throttle.flush()) is not None:
                await _publish(ctx, held)
            return _result(message, url=url, staging=staging, worker=worker)


async def _on_info(ctx: HandlerContext, worker: Worker, info: dict[str, Any], *,
                   url: str) -> domain.KnownSource | None:
    """The source is known now: link it if it is stored, else announce the download."""
    extractor, source_id = str(info.get("extractor_key") or ""), domain.source_id_of(info)
    key = domain.source_key(extractor=extractor, source_id=source_id,
                            webpage_url=info.get("webpage_url"))
    known = await store.find_by_source(ctx.pool, extractor=extractor, source_key=key)
    if known is not None:
        return known
    await ctx.emit_now(DownloadStarted(url=url, extractor=extractor, source_id=source_id,
                                       title=domain.title_of(info)))
    await worker.proceed()
    return None


async def _on_progress(ctx: HandlerContext, throttle: domain.Throttle,
                       hook: dict[str, Any]) -> None:
    fields = domain.progress_fields(hook)
    if fields is None:
        return
    item = throttle.offer(fields, now=time.monotonic(), final=hook.get("status") == "finished")
    if item is not None:
        await _publish(ctx, item)


async def _publish(ctx: HandlerContext, fields: dict[str, Any]) -> None:
    """Progress is ephemeral: a Redis hiccup loses an update, never the download."""
    try:
        await ctx.progress(DownloadProgress(stage="download", **fields))
    except (RedisError, OSError) as exc:
        log.warning("progress not published", error=str(exc))


def _result(message: dict[str, Any], *, url: str, staging: Path, worker: Worker) -> Outcome:
    if message["type"] == "error":
        return Failed(failures.failure_reason(str(message.get("message") or "")))
    if message["type"] == "exit":
        log.warning("download process died", returncode=message.get("returncode"),
                    stderr=list(worker.stderr_tail)[-5:])
        return Failed(failures.worker_died_reason(message.get("returncode")))
    path = confine(message["path"], staging)  # the worker writes nowhere else
    thumb = message.get("thumbnail")
    info = domain.downloaded_info(
        message.get("info") or {}, submitted_url=url,
        thumbnail_path=str(confine(thumb, staging)) if thumb else None,
        probed_duration=message.get("probed_duration"))
    return Done(path=str(path), info=info)
