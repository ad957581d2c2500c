"""Wiring only: how the downloader service is assembled (see mf_contracts.service)."""
from mf_contracts.service import Runtime, ServiceSpec

from .adapters.ytdlp import ytdlp_version
from .handlers import HANDLERS


async def _health(rt: Runtime) -> dict:
    # Sites break old yt-dlp releases: the version is the first thing to check.
    return {"yt_dlp": ytdlp_version()}


SPEC = ServiceSpec(
    name="downloader",
    package="mf_downloader",
    port=lambda s: s.downloader_port,
    handlers=HANDLERS,
    long_concurrency=lambda s: s.download_concurrency,
    health=_health,
)
