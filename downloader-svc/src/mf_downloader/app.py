"""Wiring only: how the downloader service is assembled (see mf_contracts.service)."""
from mf_contracts.service import Runtime, ServiceSpec

from . import config
from .adapters.ytdlp import WorkerPool, ytdlp_version
from .handlers import HANDLERS


async def _health(rt: Runtime) -> dict:
    # Sites break old yt-dlp releases: the version is the first thing to check.
    return {"yt_dlp": ytdlp_version()}


async def _close_workers(rt: Runtime) -> None:
    await config.current(rt).workers.close()


def build_spec(**overrides) -> ServiceSpec:
    """The service; `overrides` adjust its DownloaderConfig (tests shorten timeouts)."""

    async def on_start(rt: Runtime) -> None:
        cfg = config.DownloaderConfig.from_settings(rt.settings, **overrides)
        workers = WorkerPool(spare=cfg.warm_spare)
        workers.refill()
        config.use(rt, config.Wired(config=cfg, workers=workers))

    return ServiceSpec(
        name="downloader",
        package="mf_downloader",
        port=lambda s: s.downloader_port,
        handlers=HANDLERS,
        long_concurrency=lambda s: s.download_concurrency,
        on_start=on_start,
        on_stop=_close_workers,
        health=_health,
    )


SPEC = build_spec()
