"""`python -m mf_gateway` runs the gateway service."""
from mf_contracts.service import run

from .app import SPEC

if __name__ == "__main__":
    run(SPEC)
