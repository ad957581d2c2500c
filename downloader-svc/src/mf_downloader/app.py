"""Wiring only: how the downloader service is assembled (see mf_contracts.service)."""
from mf_contracts.service import Runtime, ServiceSpec

from . import config
from .adapters.ytdlp import ytdlp_version
from .cancellations import follow_cancellations
from .handlers import HANDLERS


async def _health(rt: Runtime) -> dict:
    # Sites break old yt-dlp releases: the version is the first thing to check.
    return {"yt_dlp": ytdlp_version()}


def build_spec(**overrides) -> ServiceSpec:
    """The service; `overrides` adjust its DownloaderConfig (tests shorten timeouts)."""

    async def on_start(rt: Runtime) -> None:
        config.use(config.DownloaderConfig.from_settings(rt.settings, **overrides))

    return ServiceSpec(
        name="downloader",
        package="mf_downloader",
        port=lambda s: s.downloader_port,
        handlers=HANDLERS,
        long_concurrency=lambda s: s.download_concurrency,
        on_start=on_start,
        tasks=(follow_cancellations,),
        health=_health,
    )


SPEC = build_spec()
