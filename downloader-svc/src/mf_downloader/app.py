"""Wiring only: how the downloader service is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS

SPEC = ServiceSpec(
    name="downloader",
    package="mf_downloader",
    port=lambda s: s.downloader_port,
    handlers=HANDLERS,
)
