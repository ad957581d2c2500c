"""Request and response models of the public API (they generate the SPA's types)."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["queued", "downloading", "transcoding", "storing", "done", "failed", "cancelled"]
Scope = Literal["submit", "cookies"]


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class NewUser(Credentials):
    is_admin: bool = False


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    is_admin: bool
    created_at: datetime


class SetupStatus(BaseModel):
    needs_setup: bool


class JobIn(BaseModel):
    url: str = Field(min_length=1, max_length=4096)


class JobOut(BaseModel):
    id: uuid.UUID
    url: str
    origin: str
    status: Status
    stage: str | None = None
    progress: float | None = Field(None, description="percent of the running stage")
    speed: float | None = Field(None, description="bytes per second")
    eta: float | None = Field(None, description="seconds")
    downloaded_bytes: int | None = None
    total_bytes: int | None = None
    title: str | None = None
    error: str | None = None
    item_id: uuid.UUID | None = None
    action: str | None = Field(None, description="keep, faststart, remux or transcode")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class JobList(BaseModel):
    items: list[JobOut]
    total: int


class Item(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: uuid.UUID
    title: str
    duration: float | None = None
    created_at: datetime
    source_url: str
    webpage_url: str | None = None
    extractor: str | None = None
    uploader: str | None = None
    sha256: str
    size: int
    container: str | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    has_thumbnail: bool = False
    stream_url: str = Field(description="signed, short-lived: usable as <video src>")
    thumbnail_url: str | None = None
    download_url: str = Field(description="signed link that downloads the file")


class ItemList(BaseModel):
    items: list[Item]
    total: int


class NewExtensionToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(default_factory=lambda: ["submit", "cookies"], min_length=1)


class ExtensionTokenOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None = None


class ExtensionTokenCreated(ExtensionTokenOut):
    token: str = Field(description="shown once; store it now")


class PairingCode(BaseModel):
    code: str
    expires_at: datetime
    scopes: list[str]


class PairingExchange(BaseModel):
    code: str = Field(min_length=4, max_length=20)
    name: str = Field("Browser extension", min_length=1, max_length=100)


class CookieUpload(BaseModel):
    """As the extension reads them: chrome.cookies.Cookie objects (validated by the vault)."""

    cookies: list[dict] = Field(max_length=5000)
