"""Wiring only: how the feeds service is assembled (see mf_contracts.service)."""
from importlib.metadata import PackageNotFoundError, version

from mf_contracts.service import Runtime, ServiceSpec

from . import config
from .adapters.listers import ListerPool
from .api import build_api
from .handlers import HANDLERS
from .polling import scheduler


async def _health(rt: Runtime) -> dict:
    # Sites break old yt-dlp releases: the version is the first thing to check.
    try:
        return {"yt_dlp": version("yt-dlp")}
    except PackageNotFoundError:
        return {"yt_dlp": "missing"}


def build_spec(**overrides) -> ServiceSpec:
    """The service; `overrides` adjust its FeedsConfig (tests shorten intervals and timeouts)."""

    async def on_start(rt: Runtime) -> None:
        cfg = config.FeedsConfig.from_settings(rt.settings, **overrides)
        listers = ListerPool(allow_private=cfg.allow_private_networks,
                             keep_idle=1 if cfg.warm_lister else 0)
        await listers.warm()  # warms up in the background; the first yt-dlp poll starts hot
        config.use(rt, config.Wired(config=cfg, listers=listers))

    async def on_stop(rt: Runtime) -> None:
        await config.current(rt).listers.close()

    return ServiceSpec(
        name="feeds",
        package="mf_feeds",
        port=lambda s: s.feeds_port,
        handlers=HANDLERS,
        http=build_api,
        on_start=on_start,
        on_stop=on_stop,
        tasks=(scheduler,),
        health=_health,
    )


SPEC = build_spec()
