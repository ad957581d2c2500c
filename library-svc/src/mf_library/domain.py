"""Pure decisions of the library service (no I/O).

Content addressing: a media file lives at `objects/ab/cd/<sha256>.<ext>` and a
thumbnail at `thumbs/ab/<sha256>.<ext>`, so a name says what the bytes are and the
same content is never stored twice. Every change to one sha256's row and file is
serialized by an advisory lock whose key `lock_key` derives from the sha (and the
schema, so two installations or test runs sharing a database never block each other).
"""
from __future__ import annotations

import errno
import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mf_contracts.events import MediaInfo, Probe

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MEDIA_EXTS = ("mp4", "m4a")
THUMB_EXTS = {"jpg": "jpg", "jpeg": "jpg", "png": "png", "webp": "webp"}
CONTENT_TYPES = {"mp4": "video/mp4", "m4a": "audio/mp4"}
THUMB_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# A staging folder nobody has written to for this long belongs to a job that died.
STAGING_MAX_AGE_S = 24 * 3600
# Our own temporary names in objects/ (copy fallback); older ones are crash debris.
TEMP_PREFIX = ".tmp-"
TEMP_MAX_AGE_S = 3600

# ORDER BY clauses per sort name; `id` breaks ties so pages never overlap.
SORTS = {
    "newest": "i.created_at DESC, i.id DESC",
    "oldest": "i.created_at ASC, i.id ASC",
    "title": "lower(i.title) ASC, i.created_at DESC, i.id DESC",
    "duration": "i.duration ASC NULLS LAST, i.created_at DESC, i.id DESC",
}


def is_sha256(value: str | None) -> bool:
    return bool(value) and bool(SHA256_RE.match(value))


def object_relpath(*, sha256: str, ext: str) -> PurePosixPath:
    """Where a media file lives under the media root."""
    if not is_sha256(sha256) or ext not in MEDIA_EXTS:
        raise ValueError(f"not a media object name: {sha256}.{ext}")
    return PurePosixPath("objects", sha256[:2], sha256[2:4], f"{sha256}.{ext}")


def thumb_relpath(*, sha256: str, ext: str) -> PurePosixPath:
    if not is_sha256(sha256) or ext not in THUMB_TYPES:
        raise ValueError(f"not a thumbnail name: {sha256}.{ext}")
    return PurePosixPath("thumbs", sha256[:2], f"{sha256}.{ext}")


def parse_object_relpath(rel: PurePosixPath) -> tuple[str, str] | None:
    """(sha256, ext) if `rel` (relative to objects/) is a well-formed object name."""
    if len(rel.parts) != 3:
        return None
    ab, cd, name = rel.parts
    sha, _, ext = name.partition(".")
    if is_sha256(sha) and ext in MEDIA_EXTS and ab == sha[:2] and cd == sha[2:4]:
        return sha, ext
    return None


def parse_thumb_relpath(rel: PurePosixPath) -> tuple[str, str] | None:
    """(sha256, ext) if `rel` (relative to thumbs/) is a well-formed thumbnail name."""
    if len(rel.parts) != 2:
        return None
    ab, name = rel.parts
    sha, _, ext = name.partition(".")
    if is_sha256(sha) and ext in THUMB_TYPES and ab == sha[:2]:
        return sha, ext
    return None


def lock_key(*, schema: str, sha256: str) -> int:
    """A signed 64-bit advisory-lock key for one sha256 in one library schema."""
    digest = hashlib.sha256(f"mf-library:{schema}:{sha256}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def media_ext(probe: Probe) -> str:
    """MP4 with video, M4A (the same container, audio only) without."""
    return "mp4" if probe.video_codec else "m4a"


def thumb_ext(filename: str) -> str | None:
    """The stored extension for a thumbnail file, or None if it is no image we keep."""
    suffix = PurePosixPath(filename).suffix.lower().lstrip(".")
    return THUMB_EXTS.get(suffix)


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(int(limit), MAX_LIMIT))


def order_by(sort: str | None) -> str:
    """The ORDER BY clause for a sort name; unknown names are refused, not guessed."""
    key = sort or "newest"
    if key not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    return SORTS[key]


def like_pattern(query: str | None) -> str | None:
    """`%query%` with LIKE's wildcards escaped, so a search for `50%` means 50%."""
    if query is None or not query.strip():
        return None
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_DISK_REASONS = {
    errno.ENOSPC: "The media storage is full; free some space and submit the link again.",
    errno.EDQUOT: "The media storage quota is used up; free some space and submit the link again.",
    errno.EROFS: "The media storage is read-only, so nothing can be stored; check how the "
                 "media volume is mounted.",
    errno.EACCES: "The library is not allowed to write to the media storage (permission "
                  "denied); check the owner of the media folder.",
    errno.EPERM: "The library is not allowed to write to the media storage (operation not "
                 "permitted); check the owner of the media folder.",
    errno.EIO: "The media storage reported an input/output error; check the disk or NAS.",
    errno.ENOENT: "The converted file was gone before it could be stored; submit the link again.",
}


def disk_failure_reason(exc: OSError) -> str | None:
    """Plain words for a disk failure that retrying will not fix; None for anything else."""
    return _DISK_REASONS.get(exc.errno or 0)


OUTSIDE_STAGING = "The file to store is not in the media staging folder, so it was refused."
VANISHED = ("This media was deleted from the library while the new copy was being linked; "
            "submit the link again to download it anew.")


def staging_is_stale(*, newest_mtime: float, now: float, max_age_s: float = STAGING_MAX_AGE_S) -> bool:
    return now - newest_mtime > max_age_s


def decide_add(*, row_exists: bool, file_exists: bool, have_copy: bool) -> str:
    """What adding a reference to a sha256 takes, decided under its lock.

    `insert`: a new file and row; `ref`: the file is stored, count one more;
    `restore`: the row is there but its file is gone and we hold a copy, so put it
    back and count one more; `vanished`: nothing stored and no copy to store.
    """
    if row_exists and file_exists:
        return "ref"
    if not have_copy:
        return "vanished"
    return "restore" if row_exists else "insert"


@dataclass(frozen=True)
class NewMedia:
    """A media_files row to create (ref_count starts at 1)."""

    sha256: str
    size: int
    ext: str
    container: str
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None
    duration: float | None


def new_media(*, sha256: str, size: int, probe: Probe) -> NewMedia:
    """The row for a freshly stored file: the size is what was hashed, the rest ffprobe's."""
    return NewMedia(sha256=sha256, size=size, ext=media_ext(probe), container=probe.container,
                    video_codec=probe.video_codec, audio_codec=probe.audio_codec,
                    width=probe.width, height=probe.height, duration=probe.duration)


@dataclass(frozen=True)
class Thumb:
    sha256: str
    ext: str


@dataclass(frozen=True)
class NewItem:
    """A library_items row: who, which job, which file, and what the source said.
    `duration` is the file's (ffprobe's), preferred over what the source claimed."""

    user_id: Any
    job_id: Any
    sha256: str
    info: MediaInfo
    duration: float | None = None
    thumb: Thumb | None = None

    def columns(self) -> dict[str, Any]:
        i = self.info
        return {
            "user_id": self.user_id, "job_id": self.job_id, "sha256": self.sha256,
            "title": i.title or "", "source_url": i.source_url or "",
            "webpage_url": i.webpage_url, "extractor": i.extractor or "",
            "source_id": i.source_id or "", "uploader": i.uploader,
            "duration": self.duration if self.duration is not None else i.duration,
            "description": i.description, "upload_date": i.upload_date,
            "thumbnail": self.thumb.sha256 if self.thumb else None,
            "thumbnail_ext": self.thumb.ext if self.thumb else None,
        }


@dataclass
class GcReport:
    """What one sweep did (counts), returned to `mf gc` and logged."""

    objects_seen: int = 0
    orphans_removed: int = 0
    thumbs_removed: int = 0
    temp_removed: int = 0
    missing_marked: int = 0
    missing_cleared: int = 0
    staging_removed: int = 0
    skipped: bool = False  # another sweep held the GC lock
