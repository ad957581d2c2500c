"""Wiring only: how the feeds service is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS

SPEC = ServiceSpec(
    name="feeds",
    package="mf_feeds",
    port=lambda s: s.feeds_port,
    handlers=HANDLERS,
)
