"""The downloader's runtime configuration and the worker pool, set up at start-up.

Handlers receive only the event and a context, so what the running service wired up
travels in a context variable: `app.on_start` sets it in the service's task, and every
task started from there (the consumer, each download) inherits it. Two services run
in one process (tests) each see their own.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass, replace
from pathlib import Path

from mf_contracts.settings import Settings

from .adapters.ytdlp import WorkerPool


@dataclass(frozen=True)
class DownloaderConfig:
    media_root: Path
    allow_private_networks: bool
    # yt-dlp's socket timeout: a site that stops answering fails the job after this.
    socket_timeout_s: float = 30.0
    retries: int = 3
    # How often a running download looks for its job's cancellation.
    cancel_poll_s: float = 0.5
    # DownloadProgress at most this often per job (the last one always goes out).
    progress_interval_s: float = 0.25
    # SIGTERM to the worker's process group, SIGKILL after this.
    kill_grace_s: float = 3.0
    # Keep one worker started ahead of need (saves ~1 s of start-up per job).
    warm_spare: bool = True

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> DownloaderConfig:
        base = cls(media_root=settings.media_root,
                   allow_private_networks=settings.allow_private_networks)
        timeout = getattr(settings, "download_socket_timeout_s", None)
        if timeout:
            base = replace(base, socket_timeout_s=float(timeout))
        return replace(base, **overrides)


@dataclass(frozen=True)
class Wired:
    config: DownloaderConfig
    workers: WorkerPool


_CURRENT: contextvars.ContextVar[Wired] = contextvars.ContextVar("downloader_wired")


def use(wired: Wired) -> None:
    _CURRENT.set(wired)


def current() -> Wired:
    try:
        return _CURRENT.get()
    except LookupError:
        raise RuntimeError("the downloader is wired by app.on_start; "
                           "run handlers inside the service") from None
