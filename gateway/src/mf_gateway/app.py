"""Wiring only: how the gateway service is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS

SPEC = ServiceSpec(
    name="gateway",
    package="mf_gateway",
    port=lambda s: s.port,
    handlers=HANDLERS,
)
