"""Wiring only: how the gateway is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS
from .http import build_http
from .progress import follow_progress

SPEC = ServiceSpec(
    name="gateway",
    package="mf_gateway",
    port=lambda s: s.port,
    handlers=HANDLERS,
    projection_tables=("jobs",),
    http=build_http,
    tasks=(follow_progress,),
)
