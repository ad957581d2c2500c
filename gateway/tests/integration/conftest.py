"""A running gateway (production runtime) and signed-in clients for its tests."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from mf_gateway.app import SPEC as GATEWAY
from mf_testkit.pipeline import pipeline_settings, running

ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


@dataclass
class Gateway:
    settings: object
    url: str

    def client(self, token: str | None = None, **kw) -> httpx.AsyncClient:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=30, **kw)

    async def signup(self, username: str = "admin", password: str = "correct horse") -> str:
        """Create the first admin if needed, sign in, return an access token."""
        async with self.client() as c:
            if (await c.get("/api/setup")).json()["needs_setup"]:
                assert (await c.post("/api/setup", json={"username": username, "password": password})).status_code == 201
            return await self.login(username, password)

    async def login(self, username: str, password: str) -> str:
        async with self.client() as c:
            r = await c.post("/api/auth/login", json={"username": username, "password": password})
            assert r.status_code == 200, r.text
            return r.json()["access_token"]

    async def add_user(self, admin_token: str, username: str, password: str = "another pass") -> str:
        async with self.client(admin_token) as c:
            assert (await c.post("/api/users", json={"username": username, "password": password})).status_code == 201
        return await self.login(username, password)


@pytest_asyncio.fixture
async def gateway(settings) -> AsyncIterator[Gateway]:
    s = pipeline_settings(settings, allow_private_networks=False, extension_origins=[ORIGIN],
                          jwt_secret="j" * 40)
    async with running(s, [GATEWAY]):
        yield Gateway(s, f"http://127.0.0.1:{s.port}")
