"""The vault running for real (production runtime, real Postgres and Redis), its
internal API over HTTP with the service token, and raw access to its schema."""
from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
import pytest_asyncio
from mf_contracts.internal_api import internal_client
from mf_contracts.settings import Settings
from mf_testkit.pipeline import pipeline_settings, running
from mf_vault.app import SPEC

KEY1 = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def vault_settings(settings: Settings) -> Settings:
    return pipeline_settings(settings, vault_key=KEY1)


@asynccontextmanager
async def _started(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running(settings, [SPEC]), internal_client(settings, settings.vault_url) as client:
        yield client


@pytest.fixture
def start_vault() -> Callable:
    """`async with start_vault(settings) as client:` runs the vault until the block ends."""
    return _started


@pytest_asyncio.fixture
async def vault(vault_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with _started(vault_settings) as client:
        yield client


@pytest_asyncio.fixture
async def db(vault_settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection whose search_path is the vault's schema."""
    conn = await asyncpg.connect(vault_settings.database_url,
                                 server_settings={"search_path": SPEC.schema_in(vault_settings)})
    yield conn
    await conn.close()


@pytest.fixture
def chrome_cookie() -> Callable[..., dict]:
    """A cookie exactly as chrome.cookies.getAll returns it."""
    def make(*, domain: str, name: str, value: str, expires: float | None = None,
             host_only: bool | None = None, **extra) -> dict:
        cookie = {"name": name, "value": value, "domain": domain,
                  "hostOnly": not domain.startswith(".") if host_only is None else host_only,
                  "path": "/", "secure": False, "httpOnly": False, "sameSite": "lax",
                  "session": expires is None, "storeId": "0"}
        if expires is not None:
            cookie["expirationDate"] = expires
        return {**cookie, **extra}
    return make


@pytest.fixture
def user() -> uuid.UUID:
    return uuid.uuid4()
