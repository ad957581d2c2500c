"""The downloader's runtime configuration and the worker pool, set up at start-up.

`app.on_start` keeps them in the service's Runtime.state; handlers reach them through
`ctx.runtime`, so two downloaders in one process (tests) each see their own.
"""
from __future__ import annotations

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
        base = replace(base, socket_timeout_s=float(settings.download_socket_timeout_s))
        return replace(base, **overrides)


@dataclass(frozen=True)
class Wired:
    config: DownloaderConfig
    workers: WorkerPool


def use(rt, wired: Wired) -> None:
    rt.state["downloader"] = wired


def current(rt) -> Wired:
    """What on_start wired for this running service (its Runtime.state)."""
    try:
        return rt.state["downloader"]
    except (KeyError, AttributeError):
        raise RuntimeError("the downloader is wired by app.on_start; "
                           "run handlers inside the service") from None
