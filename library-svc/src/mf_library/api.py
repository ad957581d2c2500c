"""The internal HTTP API (service token only; never published): list, get, delete items,
and where an item's file is, so the gateway can stream it with Range.

Every item route takes the caller's `user_id` and answers 404 for an item of anyone
else, exactly as for an item that does not exist: user A cannot even learn that
user B's item id is valid.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any, Literal

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Response
from mf_contracts.internal_api import PageOffset, require_service_token
from mf_contracts.service import Runtime
from pydantic import BaseModel

from . import store
from .context import Library, library_of
from .domain import CONTENT_TYPES, clamp_limit, like_pattern, order_by
from .removing import delete_item

NOT_FOUND = "No such item in your library."
FILE_MISSING = "The media file of this item is missing from storage."


class Item(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    job_id: uuid.UUID
    title: str
    duration: float | None
    created_at: datetime
    source_url: str
    webpage_url: str | None
    extractor: str
    source_id: str
    uploader: str | None
    description: str | None
    upload_date: str | None
    has_thumbnail: bool
    sha256: str
    size: int
    ext: str
    content_type: str
    container: str
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None
    # The GC found the file gone from disk (the item stays; it cannot be played).
    missing: bool


class ItemPage(BaseModel):
    items: list[Item]
    total: int


class FileInfo(BaseModel):
    path: str
    size: int
    sha256: str
    content_type: str
    thumbnail_path: str | None


class Stats(BaseModel):
    files: int
    items: int
    bytes: int
    missing: int


def item_of(row: asyncpg.Record) -> Item:
    fields: dict[str, Any] = {k: row[k] for k in Item.model_fields if k in row}
    return Item(**fields, has_thumbnail=row["thumbnail"] is not None,
                content_type=CONTENT_TYPES[row["ext"]], missing=row["missing_since"] is not None)


def file_of(lib: Library, row: asyncpg.Record) -> FileInfo:
    thumb = (str(lib.fs.thumb_path(sha256=row["thumbnail"], ext=row["thumbnail_ext"]))
             if row["thumbnail"] else None)
    return FileInfo(path=str(lib.fs.object_path(sha256=row["sha256"], ext=row["ext"])),
                    size=row["size"], sha256=row["sha256"],
                    content_type=CONTENT_TYPES[row["ext"]], thumbnail_path=thumb)


def build_api(rt: Runtime) -> FastAPI:
    lib = library_of(rt)
    app = FastAPI(title="mf-library (internal)")
    app.state.settings = rt.settings  # the token is checked against these
    app.include_router(item_routes(lib))
    return app


def item_routes(lib: Library) -> APIRouter:
    router = APIRouter(prefix="/internal", dependencies=[Depends(require_service_token)])

    @router.get("/items", response_model=ItemPage)
    async def list_items(user_id: uuid.UUID, q: str | None = None,
                         limit: int = Query(50, ge=1), offset: PageOffset = 0,
                         sort: Literal["newest", "oldest", "title", "duration"] = "newest"
                         ) -> ItemPage:
        rows, total = await store.list_items(lib.pool, user_id=user_id, pattern=like_pattern(q),
                                             order=order_by(sort), limit=clamp_limit(limit),
                                             offset=offset)
        return ItemPage(items=[item_of(r) for r in rows], total=total)

    @router.get("/items/{item_id}", response_model=Item)
    async def get_item(item_id: uuid.UUID, user_id: uuid.UUID) -> Item:
        return item_of(await _owned(lib, item_id=item_id, user_id=user_id))

    @router.delete("/items/{item_id}", status_code=204)
    async def remove_item(item_id: uuid.UUID, user_id: uuid.UUID) -> Response:
        if not await delete_item(lib, item_id=item_id, user_id=user_id):
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        return Response(status_code=204)

    @router.get("/items/{item_id}/file", response_model=FileInfo,
                responses={410: {"description": FILE_MISSING}})
    async def item_file(item_id: uuid.UUID, user_id: uuid.UUID) -> FileInfo:
        row = await _owned(lib, item_id=item_id, user_id=user_id)
        if row["missing_since"] is not None:
            raise HTTPException(status_code=410, detail=FILE_MISSING)
        return file_of(lib, row)

    @router.get("/stats", response_model=Stats)
    async def stats() -> Stats:
        return Stats(**await store.stats(lib.pool))

    return router


async def _owned(lib: Library, *, item_id: uuid.UUID, user_id: uuid.UUID) -> asyncpg.Record:
    row = await store.get_item(lib.pool, item_id=item_id, user_id=user_id)
    if row is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return row


async def health(rt: Runtime) -> dict[str, Any]:
    """Counts for /healthz (the runtime adds postgres/redis status)."""
    try:
        return {"library": await asyncio.wait_for(store.stats(rt.pool), 2)}
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return {"library": f"unavailable: {exc}"}
