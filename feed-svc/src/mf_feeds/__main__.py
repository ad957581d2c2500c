"""`python -m mf_feeds` runs the feeds service."""
from mf_contracts.service import run

from .app import SPEC

if __name__ == "__main__":
    run(SPEC)
