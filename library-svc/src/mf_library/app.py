"""Wiring only: how the library service is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS

SPEC = ServiceSpec(
    name="library",
    package="mf_library",
    port=lambda s: s.library_port,
    handlers=HANDLERS,
)
