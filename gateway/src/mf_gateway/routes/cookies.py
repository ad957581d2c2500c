"""Cookie jars from the extension, kept encrypted by the vault (values never come back)."""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from ..deps import CookieUploader, CurrentUser
from ..schemas import CookieUpload

router = APIRouter(prefix="/api/cookies", tags=["cookies"])


class CookieSite(BaseModel):
    """A site's jar: how many cookies and when the first expires (never the values)."""

    site: str
    count: int
    earliest_expiry: datetime | None = None
    updated_at: datetime | None = None


class StoredSites(BaseModel):
    sites: list[CookieSite]


@router.post("", status_code=201, response_model=StoredSites)
async def upload(body: CookieUpload, request: Request, who: CookieUploader) -> dict:
    resp = await request.app.state.vault.call(
        "POST", "/internal/jars", user_id=who.user_id,
        json={"user_id": str(who.user_id), "cookies": body.cookies})
    return resp.json()


@router.get("", response_model=list[CookieSite])
async def sites(request: Request, who: CookieUploader) -> list[dict]:
    return (await request.app.state.vault.call("GET", "/internal/jars", user_id=who.user_id)).json()


@router.delete("/{site}", status_code=204)
async def delete(site: str, request: Request, who: CurrentUser) -> Response:
    await request.app.state.vault.call("DELETE", f"/internal/jars/{site}", user_id=who.user_id)
    return Response(status_code=204)
