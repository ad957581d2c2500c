"""Rows and internal answers turned into what the public API returns."""
from __future__ import annotations

import time
from typing import Any

from mf_contracts.settings import Settings

from .domain import sign_link

LINK_TTL_S = 6 * 3600


def job_view(row) -> dict[str, Any]:
    data = dict(row)
    data.pop("user_id", None)
    return data


def link(settings: Settings, *, user_id: str, item_id: str, kind: str, now: float | None = None,
         ttl_s: int = LINK_TTL_S) -> str:
    """A signed, expiring URL for <video src>/<img src>: no bearer token in a URL that lives."""
    expires = int((now or time.time()) + ttl_s)
    expires -= expires % 600  # stable for ten minutes, so browsers can cache what they fetched
    sig = sign_link(settings.jwt_secret, user_id=user_id, item_id=item_id, kind=kind, expires=expires)
    path = "thumbnail" if kind == "thumbnail" else "stream"
    extra = "&download=1" if kind == "download" else ""
    return f"/api/library/{item_id}/{path}?u={user_id}&exp={expires}&sig={sig}{extra}"


def item_view(settings: Settings, item: dict[str, Any], *, user_id: str) -> dict[str, Any]:
    item_id = str(item["id"])
    view = dict(item)
    view["stream_url"] = link(settings, user_id=user_id, item_id=item_id, kind="stream")
    view["download_url"] = link(settings, user_id=user_id, item_id=item_id, kind="download")
    view["thumbnail_url"] = (link(settings, user_id=user_id, item_id=item_id, kind="thumbnail")
                             if item.get("has_thumbnail") else None)
    return view
