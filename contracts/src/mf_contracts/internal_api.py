"""Service-to-service HTTP: a shared bearer token (MF_SERVICE_TOKEN), never published.

Commands that need an answer now (list, delete, vault look-ups) go over these APIs;
facts travel as events.
"""
from __future__ import annotations

import hmac
from typing import Annotated

import httpx
from fastapi import HTTPException, Query, Request

from .settings import Settings, get_settings

# A page offset, public or internal. Bounded because Postgres' OFFSET is a bigint: a
# larger number made list routes answer 500 (found by schemathesis in tests/faults).
PageOffset = Annotated[int, Query(ge=0, le=2**31 - 1)]


async def require_service_token(request: Request) -> None:
    """Async, and reading the settings the runtime put on the app: a sync dependency
    costs a thread hop per request."""
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(token, settings.service_token):
        raise HTTPException(status_code=401, detail="service token required")


def internal_client(settings: Settings, base_url: str, *, timeout: float = 10.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout,
                             headers={"authorization": f"Bearer {settings.service_token}"})
