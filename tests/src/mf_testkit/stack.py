"""The whole MediaFetcher stack in a test: every installed service, one gateway URL.

Services are found the way `mf` finds them (the `mf.services` entry points), run with
the production runtime, against this test's database schema prefix, Redis prefix and
media root. The gateway serves frontend/dist when it is built.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import httpx

from mf_contracts.cli.main import load_services
from mf_contracts.settings import Settings

from .pipeline import pipeline_settings, running

ROOT = Path(__file__).resolve().parents[3]
FRONTEND_DIST = ROOT / "frontend" / "dist"


@dataclass
class Stack:
    settings: Settings
    url: str

    def client(self, token: str | None = None, **kw) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30, **kw)

    async def admin_token(self, username: str = "admin", password: str = "correct horse") -> str:
        async with self.client() as c:
            if (await c.get("/api/setup")).json()["needs_setup"]:
                r = await c.post("/api/setup", json={"username": username, "password": password})
                assert r.status_code == 201, r.text
            r = await c.post("/api/auth/login", json={"username": username, "password": password})
            assert r.status_code == 200, r.text
            return r.json()["access_token"]


@asynccontextmanager
async def full_stack(settings: Settings, *, only: tuple[str, ...] | None = None,
                     **overrides) -> AsyncIterator[Stack]:
    services = load_services()
    specs = [spec for name, spec in sorted(services.items()) if only is None or name in only]
    s = pipeline_settings(settings, frontend_dist=str(FRONTEND_DIST), vault_key="A" * 43 + "=",
                          **overrides)
    async with running(s, specs):
        yield Stack(s, f"http://127.0.0.1:{s.port}")


@asynccontextmanager
async def process_stack(settings: Settings, *, only: tuple[str, ...] | None = None,
                        **overrides) -> AsyncIterator[Stack]:
    """Like full_stack, but each service in its own process (`python -m mf_<name>`), as
    in production: for benchmarks and for tests that kill services."""
    import asyncio
    import subprocess
    import sys

    from .infra import settings_env
    from .pipeline import PORT_FIELDS

    services = load_services()
    names = [n for n in sorted(services) if only is None or n in only]
    s = pipeline_settings(settings, frontend_dist=str(FRONTEND_DIST), vault_key="A" * 43 + "=",
                          **overrides)
    env = settings_env(s)
    procs = {n: subprocess.Popen([sys.executable, "-m", services[n].package], env=env)
             for n in names}
    try:
        async with httpx.AsyncClient() as client:
            for name in names:
                port = getattr(s, PORT_FIELDS[name])
                for _ in range(300):
                    if procs[name].poll() is not None:
                        raise AssertionError(f"{name} exited during start-up")
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
        yield Stack(s, f"http://127.0.0.1:{s.port}")
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
