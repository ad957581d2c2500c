"""`mf gc`: one library sweep now (files without a row, rows without a file, old staging)."""
from __future__ import annotations

import argparse
import asyncio
import dataclasses

from mf_contracts.service import close_runtime, open_runtime
from mf_contracts.settings import get_settings

from .app import SPEC
from .gc import gc_sweep


def register(sub: argparse._SubParsersAction) -> None:
    gc = sub.add_parser("gc", help="sweep the media root: remove orphaned files, flag missing ones")
    gc.set_defaults(func=lambda args: asyncio.run(_gc()))


async def _gc() -> None:
    rt = await open_runtime(SPEC, get_settings(), pool_size=4)
    try:
        report = await gc_sweep(rt)
    finally:
        await close_runtime(rt)
    for name, value in dataclasses.asdict(report).items():
        print(f"{name}: {value}")
