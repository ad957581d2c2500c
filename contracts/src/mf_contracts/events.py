"""The typed events of MediaFetcher: one pydantic payload model per (type, version).

Every event names the stream it travels on. Streams group events by what they are
about, not by who emits them (a feed's auto-download emits UrlSubmitted on `jobs`
just like the gateway does). Progress events are ephemeral: published straight to a
capped stream, never stored in an outbox.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class Stream:
    JOBS = "jobs"
    # Commands about running jobs (cancel): short handlers everywhere, never queued
    # behind long downloads on the jobs stream.
    CONTROL = "control"
    DOWNLOADS = "downloads"
    TRANSCODES = "transcodes"
    LIBRARY = "library"
    VAULT = "vault"
    FEEDS = "feeds"
    PROGRESS = "progress"
    SYSTEM = "system"

    DURABLE: ClassVar[tuple[str, ...]] = (JOBS, CONTROL, DOWNLOADS, TRANSCODES, LIBRARY, VAULT, FEEDS,
                                          SYSTEM)


class Event(BaseModel):
    """Base of every payload. Subclasses set `event_type`, `version` and `stream`."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    stream: ClassVar[str]
    ephemeral: ClassVar[bool] = False


REGISTRY: dict[tuple[str, int], type[Event]] = {}
LATEST: dict[str, int] = {}


def event(name: str, *, stream: str, version: int = 1, ephemeral: bool = False):
    """Register a payload model under (name, version)."""

    def register(cls: type[Event]) -> type[Event]:
        cls.event_type, cls.version, cls.stream, cls.ephemeral = name, version, stream, ephemeral
        REGISTRY[(name, version)] = cls
        LATEST[name] = max(LATEST.get(name, 0), version)
        return cls

    return register


class MediaInfo(BaseModel):
    """What the source said about the media (yt-dlp's info, trimmed to what we keep).

    (extractor, source_id) identifies the source: the same pair means the same media,
    whatever URL it was submitted under.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    title: str = ""
    uploader: str | None = None
    duration: float | None = None
    source_url: str = ""
    webpage_url: str | None = None
    extractor: str = ""
    source_id: str = ""
    thumbnail_path: str | None = None
    description: str | None = None
    upload_date: str | None = None


class Probe(BaseModel):
    """ffprobe's verdict on a file: the fields that decide whether browsers play it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    container: str = ""
    video_codec: str | None = None
    video_profile: str | None = None
    pix_fmt: str | None = None
    audio_codec: str | None = None
    audio_profile: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    size: int = 0
    faststart: bool = False
    # width/height are as displayed (rotation applied); these say how it was encoded.
    rotation: int | None = None
    level: int | None = None
    fps: float | None = None


@event("UrlSubmitted", stream=Stream.JOBS)
class UrlSubmitted(Event):
    url: str
    origin: Literal["web", "extension", "feed", "api"] = "web"
    feed_id: str | None = None


@event("JobCancelled", stream=Stream.CONTROL)
class JobCancelled(Event):
    reason: str = "cancelled by user"


@event("DownloadStarted", stream=Stream.DOWNLOADS)
class DownloadStarted(Event):
    url: str
    extractor: str = ""
    source_id: str = ""
    title: str = ""


@event("DownloadProgress", stream=Stream.PROGRESS, ephemeral=True)
class DownloadProgress(Event):
    """Ephemeral progress of a job's running stage (download or transcode)."""

    stage: Literal["download", "transcode"] = "download"
    percent: float | None = None
    downloaded_bytes: int | None = None
    total_bytes: int | None = None
    speed: float | None = None
    eta: float | None = None


@event("MediaDownloaded", stream=Stream.DOWNLOADS)
class MediaDownloaded(Event):
    """A file is in staging (`path`), or, with `existing_sha256`, the source is already
    stored and nothing was downloaded: the library links the new item to that file."""

    path: str = ""
    info: MediaInfo
    existing_sha256: str | None = None


@event("DownloadFailed", stream=Stream.DOWNLOADS)
class DownloadFailed(Event):
    reason: str
    url: str = ""


@event("MediaTranscoded", stream=Stream.TRANSCODES)
class MediaTranscoded(Event):
    """`path` (in staging) plays in every browser. `action` says what it took; `source`
    is the probe of what was downloaded, `probe` the probe of the result."""

    path: str
    action: Literal["keep", "faststart", "remux", "transcode"]
    probe: Probe
    source: Probe | None = None
    info: MediaInfo


@event("TranscodeFailed", stream=Stream.TRANSCODES)
class TranscodeFailed(Event):
    reason: str


@event("LibraryItemAdded", stream=Stream.LIBRARY)
class LibraryItemAdded(Event):
    item_id: str
    sha256: str
    title: str = ""
    size: int = 0
    # The source, so the downloader knows it is stored (no second download).
    source_url: str = ""
    webpage_url: str | None = None
    extractor: str = ""
    source_id: str = ""


@event("LibraryItemDeleted", stream=Stream.LIBRARY)
class LibraryItemDeleted(Event):
    item_id: str
    sha256: str


@event("MediaFileDeleted", stream=Stream.LIBRARY)
class MediaFileDeleted(Event):
    sha256: str


@event("StoreFailed", stream=Stream.LIBRARY)
class StoreFailed(Event):
    reason: str


@event("CookieJarStored", stream=Stream.VAULT)
class CookieJarStored(Event):
    """Never carries cookie values: only which site and how many."""

    site: str
    count: int


@event("CookieJarDeleted", stream=Stream.VAULT)
class CookieJarDeleted(Event):
    site: str


@event("FeedItemDiscovered", stream=Stream.FEEDS)
class FeedItemDiscovered(Event):
    feed_id: str
    item_id: str
    url: str
    title: str = ""
    published_at: str | None = None


@event("EventDeadLettered", stream=Stream.SYSTEM)
class EventDeadLettered(Event):
    """A consumer gave up on an event; the job it belongs to is failed for the user."""

    event_id: str
    failed_type: str
    group: str
    error: str
    deliveries: int
