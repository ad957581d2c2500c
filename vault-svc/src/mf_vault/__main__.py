"""`python -m mf_vault` runs the vault service."""
import sys

from mf_contracts.service import run

from .adapters.aesgcm import VaultKeyError
from .app import SPEC

if __name__ == "__main__":
    try:
        run(SPEC)
    except VaultKeyError as exc:  # an operator's configuration mistake: a sentence, no traceback
        sys.exit(f"mf-vault refuses to start: {exc}")
