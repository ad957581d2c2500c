"""`mf vault rotate-key`: re-seal every cookie jar under the current MF_VAULT_KEY.

Run it after moving the old key to MF_VAULT_OLD_KEYS and setting a new MF_VAULT_KEY
(the services keep reading old jars meanwhile). Each jar is its own transaction, so
it is safe to interrupt and to run again. Jars under a key that is not configured are
listed and left alone. Exit status: 0 all jars under the current key, 2 some are not.
"""
from __future__ import annotations

import argparse
import asyncio
import sys

from mf_contracts.service import close_runtime, open_runtime
from mf_contracts.settings import Settings, get_settings

from .adapters.aesgcm import VaultKeyError, keyring_from_settings
from .jars import RotationReport, rotate


def register(subparsers: argparse._SubParsersAction) -> None:
    vault = subparsers.add_parser("vault", help="cookie vault tasks")
    sub = vault.add_subparsers(dest="vault_command", required=True)
    rot = sub.add_parser("rotate-key", help="re-encrypt every cookie jar under MF_VAULT_KEY",
                         description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    rot.set_defaults(func=rotate_key_command)


def rotate_key_command(args: argparse.Namespace) -> None:
    try:
        report = asyncio.run(rotate_keys(get_settings()))
    except VaultKeyError as exc:
        sys.exit(f"mf vault rotate-key: {exc}")
    print(render(report))
    if not report.complete:
        sys.exit(2)


async def rotate_keys(settings: Settings) -> RotationReport:
    """Never with a made-up key: re-sealing under a key nobody has would lose every jar."""
    ring, _ = keyring_from_settings(current=settings.vault_key, old=settings.vault_old_keys,
                                    allow_ephemeral=False)
    from .app import SPEC  # the service's schema and migrations

    rt = await open_runtime(SPEC, settings, pool_size=2)
    try:
        return await rotate(pool=rt.pool, ring=ring)
    finally:
        await close_runtime(rt)


def render(report: RotationReport) -> str:
    lines = [f"current key id: {report.current_key_id}",
             f"re-encrypted:    {report.rotated}",
             f"already current: {report.already_current}",
             f"unknown key:     {len(report.unknown_key)}",
             f"unreadable:      {len(report.unreadable)}"]
    lines += [f"  unknown key {key_id}: user {user} site {site} (kept; add its key to "
              "MF_VAULT_OLD_KEYS and run again, or delete the jar)"
              for user, site, key_id in report.unknown_key]
    lines += [f"  failed authentication: user {user} site {site} (kept)"
              for user, site in report.unreadable]
    return "\n".join(lines)
