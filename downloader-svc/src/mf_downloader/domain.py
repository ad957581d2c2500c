"""Pure decisions of the downloader service (no I/O).

What yt-dlp is asked for, how often progress is published, when two submissions are
the same source, and what of a site's metadata is kept (how failures read to a person
is in `failures.py`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from mf_contracts.events import MediaInfo

DESCRIPTION_MAX = 5000
TEXT_MAX = 1000
# Best quality first (resolution, then frame rate); among equals H.264/AAC win, because
# that is what browsers play without a transcode.
FORMAT = "bv*+ba/b"
FORMAT_SORT = ("res", "fps", "vcodec:h264", "acodec:aac")


def ytdlp_options(*, staging: Path, socket_timeout_s: float, retries: int) -> dict[str, Any]:
    """YoutubeDL params for one job (JSON-able: hooks are added in the worker).

    Everything yt-dlp writes stays inside `staging` (the job's folder on the media
    volume), so the library's final move is a rename and a cancel removes it all.
    A job is one medium: a playlist URL yields its first entry.
    """
    return {
        "format": FORMAT,
        "format_sort": list(FORMAT_SORT),
        "merge_output_format": "mp4/mkv",
        "outtmpl": {"default": str(staging / "%(id).80B.%(ext)s")},
        "paths": {"home": str(staging), "temp": str(staging)},
        "restrictfilenames": True,
        "noplaylist": True,
        "playlist_items": "1",
        "writethumbnail": True,
        "postprocessors": [{"key": "FFmpegThumbnailsConvertor", "format": "jpg",
                            "when": "before_dl"}],
        "noprogress": True,
        "quiet": True,
        "no_warnings": True,
        "socket_timeout": socket_timeout_s,
        "retries": retries,
        "fragment_retries": retries,
        # yt-dlp's own HTTP stack for every protocol: it honours the socket timeout,
        # reports progress, and its name lookups pass the worker's address guard.
        "external_downloader": {"default": "native"},
        "extractor_retries": 1,
        "file_access_retries": 1,
        "overwrites": True,
        "continuedl": False,
        "cachedir": False,
        "updatetime": False,
    }


# -- progress ------------------------------------------------------------------------
T = TypeVar("T")


@dataclass
class Throttle(Generic[T]):
    """At most one item per `interval` seconds; the newest held-back item is kept, so
    the final state is never lost (`flush`, or `final=True`)."""

    interval: float
    _last: float | None = None
    _held: T | None = field(default=None, repr=False)

    def offer(self, item: T, *, now: float, final: bool = False) -> T | None:
        """The item if it may go out now, else None (it is held back)."""
        if final or self._last is None or now - self._last >= self.interval:
            self._last, self._held = now, None
            return item
        self._held = item
        return None

    def flush(self) -> T | None:
        held, self._held = self._held, None
        return held


def progress_fields(hook: dict[str, Any]) -> dict[str, Any] | None:
    """DownloadProgress fields from a yt-dlp progress hook, or None if it says nothing.

    Percent comes from bytes when the size is known (or estimated), else from HLS/DASH
    fragments; it never exceeds 100 (estimates are often low).
    """
    status = hook.get("status")
    if status not in ("downloading", "finished"):
        return None
    done = _num(hook.get("downloaded_bytes"))
    total = _num(hook.get("total_bytes")) or _num(hook.get("total_bytes_estimate"))
    percent = None
    if status == "finished":
        percent = 100.0
    elif done is not None and total:
        percent = 100.0 * done / total
    elif hook.get("fragment_count"):
        percent = 100.0 * (_num(hook.get("fragment_index")) or 0) / hook["fragment_count"]
    return {
        "percent": None if percent is None else round(min(max(percent, 0.0), 100.0), 1),
        "downloaded_bytes": None if done is None else int(done),
        "total_bytes": None if not total else int(total),
        "speed": _num(hook.get("speed")),
        "eta": _num(hook.get("eta")),
    }


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# -- known sources -------------------------------------------------------------------
# Extractors whose ids are made from the URL's file name ("video" for .../video.mp4):
# such an id means nothing across sites or folders, so it only counts within its page.
URL_DERIVED_EXTRACTORS = frozenset({"generic", "html5mediaembed"})


def url_key(url: str) -> str:
    """A URL as looked up among known sources: scheme and host lower-cased, default port
    and fragment dropped; path and query kept (they select the media)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def source_key(*, extractor: str, source_id: str, webpage_url: str | None) -> str:
    """What identifies a source within its extractor.

    A site extractor's id is global (a YouTube id is the same video wherever it is
    linked from). A URL-derived id is scoped by the page's host and path, without the
    query: the same file under two query strings is one source, as yt-dlp says, but
    two `video.mp4` in different folders or on different sites are not.
    """
    if extractor.lower() not in URL_DERIVED_EXTRACTORS or not webpage_url:
        return source_id
    parts = urlsplit(webpage_url.strip())
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}#{source_id}"


@dataclass(frozen=True)
class KnownSource:
    """A source already stored in the library (a file with this sha256 exists)."""

    extractor: str
    source_id: str
    sha256: str
    info: dict[str, Any]


def linked_info(known: KnownSource, *, submitted_url: str) -> MediaInfo:
    """The MediaInfo of a new item that links to a stored source.

    No thumbnail path: the staging file it once named is gone; the library has the
    stored file's own.
    """
    base = {k: v for k, v in known.info.items() if k != "thumbnail_path"}
    return MediaInfo(**{**base, "extractor": known.extractor, "source_id": known.source_id,
                        "source_url": submitted_url})


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: Any, *, limit: int = TEXT_MAX, multiline: bool = False) -> str | None:
    """Text a site sent, made safe to store and show: no control characters, one line
    (unless `multiline`), at most `limit` characters.

    A NUL cannot even be stored (Postgres text and jsonb refuse it): a page with one in
    its <title> failed its job after every retry, its file left in staging
    (tests/faults). Other control characters are dropped so a title never carries line
    breaks into a header or a log line.
    """
    if value is None:
        return None
    text = str(value)
    if multiline:
        text = _CONTROL_EXCEPT_LINES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    else:
        text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def downloaded_info(info: dict[str, Any], *, submitted_url: str, thumbnail_path: str | None,
                    probed_duration: float | None) -> MediaInfo:
    """MediaInfo from the worker's `info` (yt-dlp's info_dict, trimmed), every text
    field through `clean_text`.

    The duration yt-dlp reports wins; a plain file from the generic extractor has none,
    so ffprobe's is used.
    """
    duration = _num(info.get("duration")) or probed_duration
    uploader = info.get("uploader") or info.get("channel") or info.get("uploader_id")
    return MediaInfo(
        title=title_of(info),
        uploader=clean_text(uploader) or None,
        duration=duration,
        source_url=submitted_url,
        webpage_url=clean_text(info.get("webpage_url"), limit=8192) or None,
        extractor=clean_text(info.get("extractor_key") or info.get("extractor") or "") or "",
        source_id=source_id_of(info),
        thumbnail_path=thumbnail_path,
        description=clean_text(info.get("description"), limit=DESCRIPTION_MAX,
                               multiline=True) or None,
        upload_date=clean_text(info.get("upload_date")) or None,
    )


def title_of(info: dict[str, Any]) -> str:
    """The title to show. yt-dlp's HTML5MediaEmbed numbers the <video> elements of a
    page, so the only video of a page titled "Holiday" came out as "Holiday (1)"."""
    title = clean_text(info.get("title") or info.get("id") or "") or ""
    if info.get("extractor_key") == "HTML5MediaEmbed" and str(info.get("id")).endswith("-1"):
        title = title.removesuffix(" (1)")
    return title


def source_id_of(info: dict[str, Any]) -> str:
    """The extractor's id, cleaned the same way wherever it is looked up or stored."""
    return clean_text(info.get("id") or "") or ""
