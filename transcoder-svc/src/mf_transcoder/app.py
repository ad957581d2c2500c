"""Wiring only: how the transcoder service is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS

SPEC = ServiceSpec(
    name="transcoder",
    package="mf_transcoder",
    port=lambda s: s.transcoder_port,
    handlers=HANDLERS,
)
