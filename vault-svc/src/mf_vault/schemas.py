"""Request bodies of the internal API, and how a bad one is refused.

Error details name the problem and where it is (`cookies[3].value: is longer than 4096
bytes`), never the offending input: a cookie value must not come back in a response
or land in a log. The cookie count is checked before any cookie is validated, so an
oversized upload is refused cheaply (413).
"""
from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .domain import (
    MAX_COOKIES_PER_UPLOAD,
    Cookie,
    CookieDomain,
    CookieName,
    CookiePath,
    CookieValue,
    Expiry,
    SameSite,
    with_host_only,
)
from .netscape import NetscapeError, parse_cookies

# 5,000 cookies at their size limits, with JSON overhead, stay under this.
MAX_BODY_BYTES = 40 * 1024 * 1024


class Rejected(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class ChromeCookie(BaseModel):
    """chrome.cookies.Cookie, as the extension reads it. Fields the vault has no use for
    (storeId, partitionKey…) are accepted and dropped."""

    model_config = ConfigDict(extra="ignore")
    name: CookieName
    value: CookieValue
    domain: CookieDomain
    path: CookiePath = "/"
    hostOnly: bool | None = None
    secure: bool = False
    httpOnly: bool = False
    sameSite: SameSite = "unspecified"
    session: bool = False
    expirationDate: Expiry = None
    storeId: str | None = None

    def to_cookie(self) -> Cookie:
        # Already validated field by field; only the host-only bit is folded in.
        return Cookie.model_construct(
            domain=with_host_only(self.domain, host_only=self.hostOnly), name=self.name,
            value=self.value, path=self.path, secure=self.secure, http_only=self.httpOnly,
            same_site=self.sameSite, expires=None if self.session else self.expirationDate)


class Upload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    user_id: uuid.UUID
    cookies: list[ChromeCookie]


class NetscapeUpload(BaseModel):
    """The cookie file yt-dlp rewrote during a download, sent back by the downloader."""

    model_config = ConfigDict(extra="ignore")
    user_id: uuid.UUID
    url: str = Field(min_length=1, max_length=8192)
    text: str = Field(max_length=MAX_BODY_BYTES)


def describe(exc: ValidationError, *, limit: int = 3) -> str:
    """Where and what, for the first few errors; pydantic's `input` is left out."""
    parts = []
    for err in exc.errors()[:limit]:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        parts.append(f"{where}: {err['msg']}" if where else err["msg"])
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (and {more} more problems)" if more > 0 else "")


def _load_json(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise Rejected(413, f"the upload is larger than {MAX_BODY_BYTES // 2**20} MiB")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Rejected(422, "the body is not valid JSON") from None


def parse_upload(body: bytes) -> tuple[uuid.UUID, list[Cookie]]:
    data = _load_json(body)
    cookies = data.get("cookies") if isinstance(data, dict) else None
    if isinstance(cookies, list):
        _check_count(len(cookies))
    try:
        upload = Upload.model_validate(data)
    except ValidationError as exc:
        raise Rejected(422, f"invalid cookie upload: {describe(exc)}") from None
    return upload.user_id, [c.to_cookie() for c in upload.cookies]


def parse_netscape_upload(body: bytes) -> tuple[uuid.UUID, str, list[Cookie]]:
    try:
        upload = NetscapeUpload.model_validate(_load_json(body))
    except ValidationError as exc:
        raise Rejected(422, f"invalid cookie file upload: {describe(exc)}") from None
    try:
        cookies = parse_cookies(upload.text)
    except NetscapeError as exc:
        raise Rejected(422, f"invalid cookie file: {exc}") from None
    _check_count(len(cookies))
    return upload.user_id, checked_url(upload.url), cookies


def checked_url(url: str) -> str:
    """An absolute http(s) URL with a host: the site whose jar is meant."""
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 literal or port
        ok = False
    if not ok:
        raise Rejected(422, "url must be an absolute http(s) URL with a host")
    return url


def _check_count(count: int) -> None:
    if count > MAX_COOKIES_PER_UPLOAD:
        raise Rejected(413, f"too many cookies: at most {MAX_COOKIES_PER_UPLOAD:,} per upload, "
                            f"got {count:,}")
