"""Feed subscriptions (kept and polled by feed-svc): list, add, change, delete, poll now."""
from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from mf_contracts.internal_api import PageOffset
from pydantic import BaseModel, Field

from ..deps import CurrentUser

router = APIRouter(prefix="/api/feeds", tags=["feeds"])


class FeedOut(BaseModel):
    """A subscription and how its polling goes (feed-svc's view, without the owner id)."""

    id: uuid.UUID
    url: str
    title: str | None = None
    kind: str | None = Field(None, description="rss, youtube or ytdlp, after the first good poll")
    interval_s: int
    auto_download: bool
    backlog: bool
    created_at: datetime
    last_polled_at: datetime | None = None
    next_poll_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    rate_limited_until: datetime | None = Field(None, description="the site asked for a pause")
    item_count: int = 0


class FeedItemOut(BaseModel):
    id: str = Field(description="the entry's guid, or its URL")
    url: str
    title: str = ""
    published_at: datetime | None = None
    first_seen_at: datetime
    job_id: uuid.UUID | None = Field(None, description="the download auto-download started")


class FeedItemPage(BaseModel):
    items: list[FeedItemOut]
    total: int


class PollResult(BaseModel):
    new_items: int
    error: str | None = None


class NewFeed(BaseModel):
    url: str = Field(min_length=1, max_length=4096)
    title: str | None = Field(None, max_length=300)
    interval_s: int | None = Field(None, ge=300, le=7 * 24 * 3600)
    auto_download: bool = False
    backlog: bool = Field(False, description="also download what the feed lists now")


class FeedChange(BaseModel):
    title: str | None = Field(None, max_length=300)
    interval_s: int | None = Field(None, ge=300, le=7 * 24 * 3600)
    auto_download: bool | None = None


def _feeds(request: Request):
    return request.app.state.feeds


@router.get("", response_model=list[FeedOut])
async def feeds(request: Request, who: CurrentUser) -> list[dict]:
    return (await _feeds(request).call("GET", "/internal/feeds", user_id=who.user_id)).json()


@router.post("", status_code=201, response_model=FeedOut)
async def subscribe(body: NewFeed, request: Request, who: CurrentUser) -> dict:
    payload = {"user_id": str(who.user_id), **body.model_dump(exclude_none=True)}
    return (await _feeds(request).call("POST", "/internal/feeds", user_id=who.user_id,
                                       json=payload)).json()


@router.patch("/{feed_id}", response_model=FeedOut)
async def change(feed_id: uuid.UUID, body: FeedChange, request: Request, who: CurrentUser) -> dict:
    return (await _feeds(request).call("PATCH", f"/internal/feeds/{feed_id}", user_id=who.user_id,
                                       json=body.model_dump(exclude_none=True))).json()


@router.delete("/{feed_id}", status_code=204)
async def unsubscribe(feed_id: uuid.UUID, request: Request, who: CurrentUser) -> Response:
    await _feeds(request).call("DELETE", f"/internal/feeds/{feed_id}", user_id=who.user_id)
    return Response(status_code=204)


@router.get("/{feed_id}/items", response_model=FeedItemPage)
async def items(feed_id: uuid.UUID, request: Request, who: CurrentUser,
                limit: int = Query(50, ge=1, le=200), offset: PageOffset = 0) -> dict:
    return (await _feeds(request).call("GET", f"/internal/feeds/{feed_id}/items", user_id=who.user_id,
                                       params={"limit": limit, "offset": offset})).json()


@router.post("/{feed_id}/poll", response_model=PollResult)
async def poll(feed_id: uuid.UUID, request: Request, who: CurrentUser) -> dict:
    return (await _feeds(request).call("POST", f"/internal/feeds/{feed_id}/poll",
                                       user_id=who.user_id)).json()
