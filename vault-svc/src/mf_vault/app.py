"""Wiring only: how the vault service is assembled (see mf_contracts.service)."""
from mf_contracts.service import ServiceSpec

from .handlers import HANDLERS

SPEC = ServiceSpec(
    name="vault",
    package="mf_vault",
    port=lambda s: s.vault_port,
    handlers=HANDLERS,
)
