"""`python -m mf_downloader` runs the downloader service."""
from mf_contracts.service import run

from .app import SPEC

if __name__ == "__main__":
    run(SPEC)
