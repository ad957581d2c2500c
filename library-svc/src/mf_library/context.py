"""The library's runtime pieces, reachable from handlers, routes, the GC and `mf gc`.

Handlers are given only a HandlerContext (pool, envelope), so `on_start` binds the
runtime's Library to its pool and handlers look it up by `ctx.pool`: several library
runtimes can live in one process (tests) without sharing state.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg
from mf_contracts.service import Runtime
from mf_contracts.settings import Settings

from .adapters.fs import MediaFs

_BOUND: dict[int, Library] = {}


@dataclass
class Library:
    settings: Settings
    pool: asyncpg.Pool
    schema: str
    fs: MediaFs
    # Holders of a per-sha lock connection may each need one more connection for their
    # transaction. Capping the holders below the pool size means that second
    # connection always exists: the pool cannot deadlock on itself.
    lock_slots: asyncio.Semaphore


def library_of(rt: Runtime) -> Library:
    lib = rt.state.get("library")
    if lib is None:
        slots = max(1, rt.pool.get_max_size() // 2)
        lib = Library(settings=rt.settings, pool=rt.pool, schema=rt.schema,
                      fs=MediaFs(root=rt.settings.media_root), lock_slots=asyncio.Semaphore(slots))
        rt.state["library"] = lib
    return lib


def bind(rt: Runtime) -> Library:
    lib = library_of(rt)
    _BOUND[id(rt.pool)] = lib
    return lib


def unbind(rt: Runtime) -> None:
    if _BOUND.get(id(rt.pool)) is rt.state.get("library"):
        _BOUND.pop(id(rt.pool), None)


def for_pool(pool: asyncpg.Pool) -> Library:
    lib = _BOUND.get(id(pool))
    if lib is None or lib.pool is not pool:
        raise RuntimeError("the library runtime is not bound to this pool (on_start did not run)")
    return lib
