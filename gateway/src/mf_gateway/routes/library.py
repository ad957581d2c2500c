"""The signed-in user's library: list, search, get, delete; streaming with Range."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Literal

import orjson
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from mf_contracts.internal_api import PageOffset
from mf_contracts.storage import OutsideMediaRoot, confine
from mf_contracts.zerocopy import ZeroCopyFileResponse

from .. import domain
from ..deps import AnyPrincipal, Rt, principal
from ..schemas import Item, ItemList
from ..views import item_view

router = APIRouter(prefix="/api/library", tags=["library"])
Sort = Literal["newest", "oldest", "title", "duration"]
THUMB_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def _library(request: Request):
    return request.app.state.library


@router.get("", response_model=ItemList)
async def items(request: Request, who: AnyPrincipal, rt: Rt, q: str | None = Query(None, max_length=200),
                limit: int = Query(50, ge=1, le=200), offset: PageOffset = 0,
                sort: Sort = "newest") -> Response:
    resp = await _library(request).call("GET", "/internal/items", user_id=who.user_id,
                                        params={"q": q, "limit": limit, "offset": offset, "sort": sort})
    data = orjson.loads(resp.content)
    uid = str(who.user_id)
    body = {"items": [item_view(rt.settings, i, user_id=uid) for i in data["items"]],
            "total": data["total"]}
    # The library already validated these rows; a second pydantic pass over a page of
    # 200 items would cost more than the rest of the request (response_model is for docs).
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/{item_id}", response_model=Item)
async def item(item_id: uuid.UUID, request: Request, who: AnyPrincipal, rt: Rt) -> Item:
    resp = await _library(request).call("GET", f"/internal/items/{item_id}", user_id=who.user_id)
    return Item.model_validate(item_view(rt.settings, resp.json(), user_id=str(who.user_id)))


@router.delete("/{item_id}", status_code=204)
async def delete(item_id: uuid.UUID, request: Request, who: AnyPrincipal) -> Response:
    await _library(request).call("DELETE", f"/internal/items/{item_id}", user_id=who.user_id)
    request.app.state.files.drop_item(str(item_id))
    return Response(status_code=204)


@router.head("/{item_id}/stream", include_in_schema=False)
@router.get("/{item_id}/stream", response_class=FileResponse)
async def stream(item_id: uuid.UUID, request: Request, rt: Rt, download: bool = False):
    """The media file with HTTP Range, for <video src>: a signed link or a bearer token."""
    user_id = await _media_user(request, rt, item_id=item_id, kind="download" if download else "stream")
    meta = await _file(request, rt, item_id=item_id, user_id=user_id)
    path = _inside_root(rt, meta["path"])
    filename = None
    if download:
        item = (await _library(request).call("GET", f"/internal/items/{item_id}", user_id=user_id)).json()
        filename = f"{_safe_name(item.get('title') or item_id)}{path.suffix}"
    return ZeroCopyFileResponse(path, media_type=meta["content_type"], filename=filename,
                         content_disposition_type="attachment" if download else "inline",
                         headers={"Cache-Control": "private, max-age=3600"})


@router.get("/{item_id}/thumbnail", response_class=FileResponse)
async def thumbnail(item_id: uuid.UUID, request: Request, rt: Rt):
    user_id = await _media_user(request, rt, item_id=item_id, kind="thumbnail")
    meta = await _file(request, rt, item_id=item_id, user_id=user_id)
    if not meta.get("thumbnail_path"):
        raise HTTPException(404, "this item has no thumbnail")
    path = _inside_root(rt, meta["thumbnail_path"])
    media_type = THUMB_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=86400"})


async def _media_user(request: Request, rt, *, item_id: uuid.UUID, kind: str) -> uuid.UUID:
    q = request.query_params
    if "sig" in q:
        try:
            user, expires = q["u"], int(q["exp"])
            ok = domain.check_link(rt.settings.jwt_secret, user_id=user, item_id=str(item_id), kind=kind,
                                   expires=expires, signature=q["sig"], now=time.time())
            if ok:
                return uuid.UUID(user)
        except (KeyError, ValueError):
            pass
        raise HTTPException(401, "this link is invalid or has expired; reload the page")
    return (await principal(request, rt)).user_id


async def _file(request: Request, rt, *, item_id: uuid.UUID, user_id: uuid.UUID) -> dict:
    cache = request.app.state.files
    key = (str(user_id), str(item_id))
    meta = cache.get(key)
    if meta is None:
        resp = await _library(request).call("GET", f"/internal/items/{item_id}/file", user_id=user_id)
        meta = resp.json()
        cache.put(key, meta)
    return meta


def _inside_root(rt, path: str) -> Path:
    try:
        resolved = confine(path, rt.settings.media_root)
    except OutsideMediaRoot:
        raise HTTPException(404, "not found") from None
    if not resolved.is_file():
        raise HTTPException(404, "the media file is missing from the media volume")
    return resolved


def _safe_name(title: object) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_.()" else "_" for ch in str(title)).strip(" .")
    return (keep or "media")[:120]
