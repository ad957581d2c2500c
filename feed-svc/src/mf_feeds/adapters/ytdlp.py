"""yt-dlp flat extraction ("what does this channel/playlist/page list?") behind one call.

Listings run in lister processes (`listers.py`): the event loop never blocks on yt-dlp,
and a site that hangs costs one process, killed with its whole group at the deadline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mf_contracts.logging import get_logger

from ..domain import (
    Failure,
    FeedItem,
    retry_after_seconds,
    too_slow,
    web_url,
    ytdlp_failure,
    ytdlp_item_id,
    ytdlp_published,
)
from .http_feed import SourceError
from .listers import ListerGone, ListerPool

log = get_logger(__name__)


@dataclass(frozen=True)
class Listed:
    title: str | None
    items: list[FeedItem]


async def list_entries(url: str, *, pool: ListerPool, cookies: Path | None, timeout_s: float,
                       max_items: int) -> Listed:
    job = {"url": url, "cookiefile": str(cookies) if cookies else None,
           "socket_timeout": max(1.0, min(timeout_s, 20.0)), "max_items": max_items}
    try:
        message = await pool.ask(job, timeout_s=timeout_s)
    except TimeoutError:
        raise SourceError(too_slow(timeout_s)) from None
    except ListerGone as exc:
        log.warning("feed lister failed", error=str(exc))
        raise SourceError(Failure("Reading the page failed unexpectedly; checking again "
                                  "later.")) from None
    if message.get("type") == "single":
        raise SourceError(Failure("This address is a single video, not a feed, channel or "
                                  "playlist: download it directly instead."))
    if message.get("type") != "ok":
        retry = retry_after_seconds(message.get("retry_after"), now=datetime.now(UTC))
        raise SourceError(ytdlp_failure(message=str(message.get("message") or ""),
                                        status=message.get("status"), retry_after_s=retry))
    items = [item for e in message.get("entries") or [] if (item := entry_item(e))]
    title = message.get("title")
    return Listed(title=title.strip() or None if isinstance(title, str) else None, items=items)


def entry_item(entry: dict[str, Any]) -> FeedItem | None:
    url = web_url(entry.get("url")) or web_url(entry.get("webpage_url"))
    if url is None:
        return None
    extractor = entry.get("ie_key") or entry.get("extractor_key")
    return FeedItem(id=ytdlp_item_id(extractor=extractor, entry_id=entry.get("id"), url=url),
                    url=url, title=str(entry.get("title") or "").strip(),
                    published_at=ytdlp_published(
                        timestamp=entry.get("timestamp") or entry.get("release_timestamp"),
                        upload_date=entry.get("upload_date")))
