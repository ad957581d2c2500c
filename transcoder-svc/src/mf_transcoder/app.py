"""Wiring only: how the transcoder service is assembled (see mf_contracts.service)."""
from mf_contracts.service import Runtime, ServiceSpec

from .adapters.ffmpeg import ffmpeg_version
from .handlers import HANDLERS


async def _on_start(rt: Runtime) -> None:
    rt.state["ffmpeg"] = await ffmpeg_version()


async def _health(rt: Runtime) -> dict:
    return {"ffmpeg": rt.state.get("ffmpeg", "unknown")}


SPEC = ServiceSpec(
    name="transcoder",
    package="mf_transcoder",
    port=lambda s: s.transcoder_port,
    handlers=HANDLERS,
    long_concurrency=lambda s: s.transcode_concurrency,
    on_start=_on_start,
    health=_health,
)
