"""Which Settings a handler runs under.

A HandlerContext carries the service's pool but not its settings, and tests run
several services, each with its own settings, in one process: a module-global
"current settings" would be shared between them. The pool identifies the running
service, so `on_start` binds pool -> settings and handlers look theirs up.
"""
from __future__ import annotations

import asyncio

import asyncpg
from mf_contracts.service import Runtime
from mf_contracts.settings import Settings

_BOUND: dict[int, tuple[asyncpg.Pool, Settings]] = {}


def bind(rt: Runtime) -> None:
    _BOUND[id(rt.pool)] = (rt.pool, rt.settings)


def settings_for(pool: asyncpg.Pool) -> Settings:
    bound_pool, settings = _BOUND[id(pool)]
    if bound_pool is not pool:  # id() reused by a new pool after the old one was freed
        raise LookupError("no settings bound to this pool")
    return settings


async def unbind_at_stop(rt: Runtime, stop: asyncio.Event) -> None:
    """A service task: forget the binding once the service stops. Handlers read their
    settings once, when they start, so the ones still finishing are unaffected."""
    await stop.wait()
    _BOUND.pop(id(rt.pool), None)
