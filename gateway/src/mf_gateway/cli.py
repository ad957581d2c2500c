"""`mf user create NAME [--admin]`: accounts from the shell (first admin, lost passwords)."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from mf_contracts.service import close_runtime, open_runtime
from mf_contracts.settings import get_settings

from . import store
from .app import SPEC
from .security import hash_password


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="manage web app accounts")
    usub = user.add_subparsers(dest="user_action", required=True)
    create = usub.add_parser("create", help="create an account (the password is asked, or read "
                                            "from MF_NEW_PASSWORD)")
    create.add_argument("username")
    create.add_argument("--admin", action="store_true", help="may add users")
    create.set_defaults(func=lambda args: asyncio.run(_create(args.username, admin=args.admin)))


async def _create(username: str, *, admin: bool) -> None:
    password = os.environ.get("MF_NEW_PASSWORD") or getpass.getpass(f"password for {username}: ")
    if len(password) < 8:
        sys.exit("the password needs at least 8 characters")
    rt = await open_runtime(SPEC, get_settings(), pool_size=2)
    try:
        async with rt.pool.acquire() as conn:
            if await store.user_by_name(conn, username):
                sys.exit(f"{username} exists already")
            await store.create_user(conn, username=username, password_hash=hash_password(password),
                                    is_admin=admin)
    finally:
        await close_runtime(rt)
    print(f"created {'administrator' if admin else 'user'} {username}")
