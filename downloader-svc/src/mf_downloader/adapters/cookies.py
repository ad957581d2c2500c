"""The user's cookie jar for a download, as the 0600 temp file yt-dlp reads and rewrites.

The vault gives the jar as Netscape cookie text; yt-dlp writes the file back at the end
of a run with what the site rotated, which goes back to the vault. The file exists only
for the length of the download and is removed whatever happens. A vault that has no jar
(404) or cannot decrypt it (409) means: download without cookies. A vault that is down
means the same, but the answer says so (`CookieJar.vault_down`): if the site then asks
for a sign-in, the job waits for the vault instead of failing (download.py).
"""
from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import httpx

from mf_contracts.internal_api import internal_client
from mf_contracts.logging import get_logger
from mf_contracts.settings import Settings

log = get_logger(__name__)
PREFIX = "mf-cookies-"


class VaultDown(Exception):
    pass


@dataclass(frozen=True)
class CookieJar:
    path: Path | None  # the 0600 file for yt-dlp, or None: no cookies
    vault_down: bool = False  # None because the vault could not be asked


@asynccontextmanager
async def cookie_file(settings: Settings, *, user_id: uuid.UUID | None,
                      url: str) -> AsyncIterator[CookieJar]:
    try:
        text = await _fetch(settings, user_id=user_id, url=url) if user_id else None
    except VaultDown:
        yield CookieJar(None, vault_down=True)
        return
    if text is None:
        yield CookieJar(None)
        return
    fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=".txt")  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        yield CookieJar(path)
        rotated = path.read_text(encoding="utf-8") if path.exists() else text
        if rotated != text:
            await _send_back(settings, user_id=user_id, url=url, text=rotated)
    finally:
        path.unlink(missing_ok=True)


async def _fetch(settings: Settings, *, user_id: uuid.UUID, url: str) -> str | None:
    try:
        async with internal_client(settings, settings.vault_url) as client:
            resp = await client.get("/internal/jars/netscape",
                                    params={"user_id": str(user_id), "url": url})
    except httpx.HTTPError as exc:
        log.warning("vault unreachable; downloading without cookies", error=str(exc))
        raise VaultDown(str(exc)) from None
    if resp.status_code == 200:
        return resp.text
    if resp.status_code >= 500:
        log.warning("vault failing; downloading without cookies", status=resp.status_code)
        raise VaultDown(f"HTTP {resp.status_code}")
    if resp.status_code != 404:
        log.warning("cookie jar unusable; downloading without cookies", status=resp.status_code,
                    detail=resp.text[:300])
    return None


async def _send_back(settings: Settings, *, user_id: uuid.UUID, url: str, text: str) -> None:
    try:
        async with internal_client(settings, settings.vault_url) as client:
            resp = await client.put("/internal/jars/netscape",
                                    json={"user_id": str(user_id), "url": url, "text": text})
        if resp.status_code >= 400:
            log.warning("rotated cookies not stored", status=resp.status_code)
    except httpx.HTTPError as exc:
        log.warning("rotated cookies not stored; vault unreachable", error=str(exc))
