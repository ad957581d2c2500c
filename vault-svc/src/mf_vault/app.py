"""Wiring only: how the vault service is assembled (see mf_contracts.service)."""
from mf_contracts.logging import get_logger
from mf_contracts.service import Runtime, ServiceSpec

from .adapters.aesgcm import keyring_from_settings
from .api import build_api
from .handlers import HANDLERS

log = get_logger(__name__)


async def load_keys(rt: Runtime) -> None:
    """Production refuses to start without MF_VAULT_KEY (`make run` makes one once and
    keeps it in .data/vault.key). Without any key, development and tests get a random
    key per process; jars sealed under it are unreadable after a restart (the export
    then answers 409 and the user re-sends the cookies), the cost of configuring none."""
    s = rt.settings
    ring, ephemeral = keyring_from_settings(current=s.vault_key, old=s.vault_old_keys,
                                            allow_ephemeral=s.env != "production")
    if ephemeral:
        log.warning("MF_VAULT_KEY is not set: cookie jars are encrypted with a random key that "
                    "dies with this process, so they will NOT survive a restart. Set "
                    "MF_VAULT_KEY (openssl rand -base64 32) to keep them.", env=s.env)
    rt.state["keyring"], rt.state["ephemeral_key"] = ring, ephemeral
    log.info("vault keys loaded", current_key_id=ring.current_id, keys=len(ring.key_ids))


async def key_health(rt: Runtime) -> dict:
    """Which key seals new jars (its id, not the key), so operators can check a rollout."""
    return {"vault_key_id": rt.state["keyring"].current_id,
            "vault_key_ephemeral": rt.state["ephemeral_key"]}


SPEC = ServiceSpec(
    name="vault",
    package="mf_vault",
    port=lambda s: s.vault_port,
    handlers=HANDLERS,
    http=build_api,
    on_start=load_keys,
    health=key_health,
)
