"""Clients for the internal APIs of the library and the vault.

An unreachable service is a 503 with a plain reason, never a 500; a 404 from the
service stays a 404 (ids of other users' things are indistinguishable from none).
"""
from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import HTTPException
from mf_contracts.internal_api import internal_client
from mf_contracts.settings import Settings


class InternalService:
    def __init__(self, settings: Settings, *, name: str, base_url: str) -> None:
        self.name = name
        self.client = internal_client(settings, base_url, timeout=30)

    async def close(self) -> None:
        await self.client.aclose()

    async def call(self, method: str, path: str, *, user_id: uuid.UUID, params: dict | None = None,
                   json: Any = None, content: bytes | None = None, headers: dict | None = None) -> httpx.Response:
        query = {"user_id": str(user_id), **{k: v for k, v in (params or {}).items() if v is not None}}
        try:
            resp = await self.client.request(method, path, params=query, json=json, content=content,
                                             headers=headers)
        except httpx.HTTPError:
            raise HTTPException(503, f"the {self.name} service is not reachable; try again shortly") from None
        if resp.status_code == 404:
            raise HTTPException(404, "not found")
        if resp.status_code == 410:
            raise HTTPException(410, "the media file is missing from the media volume")
        if resp.status_code >= 500:
            raise HTTPException(503, f"the {self.name} service failed; try again shortly")
        if resp.status_code >= 400:
            raise HTTPException(resp.status_code, _detail(resp))
        return resp


def _detail(resp: httpx.Response) -> str:
    try:
        detail = resp.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list):
        detail = "; ".join(str(d.get("msg", d)) for d in detail)
    return str(detail or resp.reason_phrase)
