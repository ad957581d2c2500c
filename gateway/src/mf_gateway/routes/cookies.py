"""Cookie jars from the extension, kept encrypted by the vault (values never come back)."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, Response
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
    # The path arrives decoded, so any text can be here. Put verbatim into the vault's
    # URL, a control character made httpx refuse it (a 500, found by schemathesis in
    # tests/faults) and "." or ".." would be resolved away: refuse those, quote the rest.
    if not site.strip(".") or any(ord(ch) < 32 or ord(ch) == 127 for ch in site):
        raise HTTPException(422, "this is not a site name")
    await request.app.state.vault.call("DELETE", f"/internal/jars/{quote(site, safe='')}",
                                       user_id=who.user_id)
    return Response(status_code=204)
