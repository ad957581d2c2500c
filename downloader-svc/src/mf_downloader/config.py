"""The downloader's runtime configuration, derived from Settings once at start-up.

Handlers receive only the event and a context, so the running service's configuration
travels in a context variable: `app.on_start` sets it in the service's task, and every
task the consumer spawns from there (each download) inherits it. Two services run in
one process (tests) each see their own.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass, replace
from pathlib import Path

from mf_contracts.settings import Settings


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

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> DownloaderConfig:
        base = cls(media_root=settings.media_root,
                   allow_private_networks=settings.allow_private_networks)
        timeout = getattr(settings, "download_socket_timeout_s", None)
        if timeout:
            base = replace(base, socket_timeout_s=float(timeout))
        return replace(base, **overrides)


_CURRENT: contextvars.ContextVar[DownloaderConfig] = contextvars.ContextVar("downloader_config")


def use(config: DownloaderConfig) -> None:
    _CURRENT.set(config)


def current() -> DownloaderConfig:
    try:
        return _CURRENT.get()
    except LookupError:
        raise RuntimeError("the downloader's configuration is set by app.on_start; "
                           "run handlers inside the service") from None
