"""Service-to-service HTTP: a shared bearer token (MF_SERVICE_TOKEN), never published.

Commands that need an answer now (list, delete, vault look-ups) go over these APIs;
facts travel as events.
"""
from __future__ import annotations

import hmac

import httpx
from fastapi import Depends, HTTPException, Request

from .settings import Settings, get_settings


def require_service_token(request: Request, settings: Settings = Depends(get_settings)) -> None:
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(token, settings.service_token):
        raise HTTPException(status_code=401, detail="service token required")


def internal_client(settings: Settings, base_url: str, *, timeout: float = 10.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=timeout,
                             headers={"authorization": f"Bearer {settings.service_token}"})
