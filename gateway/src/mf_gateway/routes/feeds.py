"""Feed subscriptions (kept and polled by feed-svc): list, add, change, delete, poll now."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from ..deps import CurrentUser

router = APIRouter(prefix="/api/feeds", tags=["feeds"])


class NewFeed(BaseModel):
    url: str = Field(min_length=1, max_length=4096)
    title: str | None = Field(None, max_length=300)
    interval_s: int | None = Field(None, ge=60, le=7 * 24 * 3600)
    auto_download: bool = False
    backlog: bool = Field(False, description="also download what the feed lists now")


class FeedChange(BaseModel):
    title: str | None = Field(None, max_length=300)
    interval_s: int | None = Field(None, ge=60, le=7 * 24 * 3600)
    auto_download: bool | None = None


def _feeds(request: Request):
    return request.app.state.feeds


@router.get("")
async def feeds(request: Request, who: CurrentUser) -> list[dict]:
    return (await _feeds(request).call("GET", "/internal/feeds", user_id=who.user_id)).json()


@router.post("", status_code=201)
async def subscribe(body: NewFeed, request: Request, who: CurrentUser) -> dict:
    payload = {"user_id": str(who.user_id), **body.model_dump(exclude_none=True)}
    return (await _feeds(request).call("POST", "/internal/feeds", user_id=who.user_id,
                                       json=payload)).json()


@router.patch("/{feed_id}")
async def change(feed_id: uuid.UUID, body: FeedChange, request: Request, who: CurrentUser) -> dict:
    return (await _feeds(request).call("PATCH", f"/internal/feeds/{feed_id}", user_id=who.user_id,
                                       json=body.model_dump(exclude_none=True))).json()


@router.delete("/{feed_id}", status_code=204)
async def unsubscribe(feed_id: uuid.UUID, request: Request, who: CurrentUser) -> Response:
    await _feeds(request).call("DELETE", f"/internal/feeds/{feed_id}", user_id=who.user_id)
    return Response(status_code=204)


@router.get("/{feed_id}/items")
async def items(feed_id: uuid.UUID, request: Request, who: CurrentUser,
                limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)) -> dict:
    return (await _feeds(request).call("GET", f"/internal/feeds/{feed_id}/items", user_id=who.user_id,
                                       params={"limit": limit, "offset": offset})).json()


@router.post("/{feed_id}/poll")
async def poll(feed_id: uuid.UUID, request: Request, who: CurrentUser) -> dict:
    return (await _feeds(request).call("POST", f"/internal/feeds/{feed_id}/poll",
                                       user_id=who.user_id)).json()
