"""The user's cookie jar for a feed's site, as the 0600 temp file the connectors read.

The vault gives the jar as Netscape cookie text. The file exists only for one poll and
is removed whatever happens. A vault that is down, has no jar (404) or cannot decrypt it
(409) means: poll without cookies (a public feed still works; a private one fails with
the site's own answer, which tells the user to send cookies).
"""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from mf_contracts.internal_api import internal_client
from mf_contracts.logging import get_logger
from mf_contracts.settings import Settings

log = get_logger(__name__)
PREFIX = "mf-feed-cookies-"
VAULT_TIMEOUT_S = 5.0


@asynccontextmanager
async def cookie_file(settings: Settings, *, user_id: uuid.UUID, url: str) -> AsyncIterator[Path | None]:
    text = await _fetch(settings, user_id=user_id, url=url)
    if text is None:
        yield None
        return
    fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=".txt")  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        yield path
    finally:
        path.unlink(missing_ok=True)


async def _fetch(settings: Settings, *, user_id: uuid.UUID, url: str) -> str | None:
    try:
        async with internal_client(settings, settings.vault_url, timeout=VAULT_TIMEOUT_S) as client:
            resp = await client.get("/internal/jars/netscape",
                                    params={"user_id": str(user_id), "url": url})
    except httpx.HTTPError as exc:
        log.warning("vault unreachable; polling without cookies", error=str(exc))
        return None
    if resp.status_code == 200:
        return resp.text
    if resp.status_code != 404:
        log.warning("cookie jar unusable; polling without cookies", status=resp.status_code)
    return None
