"""The internal HTTP API (service token only; never published): subscribe, list, change,
unsubscribe, list items, poll now.

Every feed route takes the caller's `user_id` and answers 404 for a feed of anyone
else, exactly as for one that does not exist.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mf_contracts.internal_api import PageOffset, require_service_token
from mf_contracts.netguard import UrlRefused, check_url
from mf_contracts.service import Runtime
from pydantic import BaseModel, Field

from . import config, store
from .domain import interval_problem, pause_message
from .polling import poll_feed

NOT_FOUND = "No such feed."


class NewFeed(BaseModel):
    user_id: uuid.UUID
    url: str = Field(min_length=1, max_length=4096)
    title: str | None = Field(None, max_length=300)
    interval_s: int | None = None
    auto_download: bool = False
    backlog: bool = Field(False, description="auto-download what the feed lists when first read")


class FeedChange(BaseModel):
    title: str | None = Field(None, max_length=300)
    interval_s: int | None = None
    auto_download: bool | None = None


class Feed(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    url: str
    title: str | None
    kind: str | None
    interval_s: int
    auto_download: bool
    backlog: bool
    created_at: datetime
    last_polled_at: datetime | None
    next_poll_at: datetime
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    # The site asked for a pause until then; "poll now" waits for it too.
    rate_limited_until: datetime | None
    item_count: int


class Item(BaseModel):
    id: str
    url: str
    title: str
    published_at: datetime | None
    first_seen_at: datetime
    # The download auto-download started for it, if it did.
    job_id: uuid.UUID | None


class ItemPage(BaseModel):
    items: list[Item]
    total: int


class PollResult(BaseModel):
    new_items: int
    error: str | None


def build_api(rt: Runtime) -> FastAPI:
    app = FastAPI(title="mf-feeds (internal)")  # the runtime puts its settings on app.state

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}"
                             for e in exc.errors()[:3])
        return JSONResponse({"detail": f"invalid request: {problems}"}, status_code=422)

    app.include_router(feed_routes(rt))
    app.include_router(item_routes(rt))
    return app


def feed_routes(rt: Runtime) -> APIRouter:
    router = APIRouter(prefix="/internal/feeds", dependencies=[Depends(require_service_token)])
    cfg = config.current(rt).config

    @router.get("", response_model=list[Feed])
    async def list_feeds(user_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await store.list_feeds(rt.pool, user_id=user_id)]

    @router.post("", response_model=Feed, status_code=201)
    async def subscribe(body: NewFeed) -> dict[str, Any]:
        url = await _checked_url(body.url, allow_private=cfg.allow_private_networks)
        interval = body.interval_s or cfg.default_interval_s
        _check_interval(interval, cfg)
        row = await store.create_feed(rt.pool, feed_id=uuid.uuid4(), user_id=body.user_id, url=url,
                                      title=body.title, interval_s=interval,
                                      auto_download=body.auto_download, backlog=body.backlog)
        if row is None:
            raise HTTPException(409, "You already follow this feed.")
        config.current(rt).wake.set()  # its first poll is due now
        return dict(row)

    @router.patch("/{feed_id}", response_model=Feed)
    async def change(feed_id: uuid.UUID, user_id: uuid.UUID, body: FeedChange) -> dict[str, Any]:
        changes = body.model_dump(exclude_none=True)
        if "interval_s" in changes:
            _check_interval(changes["interval_s"], cfg)
        return dict(_found(await store.update_feed(rt.pool, feed_id=feed_id, user_id=user_id,
                                                   changes=changes)))

    @router.delete("/{feed_id}", status_code=204)
    async def unsubscribe(feed_id: uuid.UUID, user_id: uuid.UUID) -> Response:
        if not await store.delete_feed(rt.pool, feed_id=feed_id, user_id=user_id):
            raise HTTPException(404, NOT_FOUND)
        return Response(status_code=204)

    return router


def item_routes(rt: Runtime) -> APIRouter:
    router = APIRouter(prefix="/internal/feeds", dependencies=[Depends(require_service_token)])
    cfg = config.current(rt).config

    @router.get("/{feed_id}/items", response_model=ItemPage)
    async def items(feed_id: uuid.UUID, user_id: uuid.UUID, limit: int = Query(50, ge=1, le=500),
                    offset: PageOffset = 0) -> dict[str, Any]:
        _found(await store.get_feed(rt.pool, feed_id=feed_id, user_id=user_id))
        rows, total = await store.list_items(rt.pool, feed_id=feed_id, limit=limit, offset=offset)
        return {"items": [{"id": r["item_id"], **dict(r)} for r in rows], "total": total}

    @router.post("/{feed_id}/poll", response_model=PollResult)
    async def poll_now(feed_id: uuid.UUID, user_id: uuid.UUID) -> PollResult:
        feed = await store.claim_one(rt.pool, feed_id=feed_id, user_id=user_id, lease_s=cfg.lease_s)
        if feed is None:
            paused = _found(await store.get_feed(rt.pool, feed_id=feed_id, user_id=user_id))
            return PollResult(new_items=0, error=pause_message(paused["rate_limited_until"]))
        report = await poll_feed(rt, feed)
        return PollResult(new_items=report.new_items, error=report.error)

    return router


async def _checked_url(url: str, *, allow_private: bool) -> str:
    try:  # resolves the host: off the event loop
        return await asyncio.to_thread(check_url, url, allow_private=allow_private)
    except UrlRefused as exc:
        raise HTTPException(422, f"This address cannot be followed: {exc}.") from None


def _check_interval(interval_s: int, cfg: config.FeedsConfig) -> None:
    problem = interval_problem(interval_s, min_s=cfg.min_interval_s, max_s=cfg.max_interval_s)
    if problem:
        raise HTTPException(422, problem)


def _found(row: asyncpg.Record | None) -> asyncpg.Record:
    if row is None:
        raise HTTPException(404, NOT_FOUND)
    return row
