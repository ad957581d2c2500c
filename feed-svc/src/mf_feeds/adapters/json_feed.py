"""JSON Feed 1.0/1.1 (jsonfeed.org), which feedparser 6.0 does not read.

Pure: bytes in, title and items out. Items follow the same rules as RSS entries: an
audio or video attachment (podcasts) before the item's page, ids as given, relative
URLs resolved against the feed's own URL.
"""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urljoin

import orjson

from ..domain import MAX_ITEM_KEY, MEDIA_TYPES, FeedItem, web_url


class NotAJsonFeed(ValueError):
    pass


def parse_json_feed(body: bytes, *, url: str, max_items: int) -> tuple[str | None, list[FeedItem]]:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NotAJsonFeed(f"not JSON: {exc}") from None
    if not isinstance(doc, dict) or "jsonfeed.org/version" not in str(doc.get("version", "")):
        raise NotAJsonFeed("JSON without a jsonfeed.org version")
    entries = doc.get("items")
    if not isinstance(entries, list):
        raise NotAJsonFeed("a JSON Feed without an items list")
    items = [item for entry in entries[:max_items]
             if isinstance(entry, dict) and (item := _item(entry, base=url))]
    title = doc.get("title")
    return (title.strip() or None) if isinstance(title, str) else None, items


def _item(entry: dict, *, base: str) -> FeedItem | None:
    url = _attachment(entry, base=base) or _absolute(entry.get("url"), base) \
        or _absolute(entry.get("external_url"), base)
    if url is None:
        return None
    stable = entry.get("id")
    stable = str(stable).strip() if stable not in (None, "") else url
    title = entry.get("title") if isinstance(entry.get("title"), str) else ""
    return FeedItem(id=stable[:MAX_ITEM_KEY], url=url, title=title.strip(),
                    published_at=_when(entry.get("date_published") or entry.get("date_modified")))


def _attachment(entry: dict, *, base: str) -> str | None:
    for attachment in entry.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        if str(attachment.get("mime_type", "")).lower().startswith(MEDIA_TYPES):
            if url := _absolute(attachment.get("url"), base):
                return url
    return None


def _absolute(value: object, base: str) -> str | None:
    return web_url(urljoin(base, value)) if isinstance(value, str) and value.strip() else None


def _when(value: object) -> datetime | None:
    """RFC 3339, as the spec asks; anything else is no date."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
