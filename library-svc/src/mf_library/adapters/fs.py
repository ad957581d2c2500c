"""The media volume: content-addressed objects, thumbnails and staging folders.

Blocking calls (hashing, renames, walks) are plain functions; callers run them in a
thread. Durability: a file's data is fsynced before its name appears under objects/,
and the directory is fsynced after the name appears or disappears, so a power cut
leaves either the old state or the new one, never a name pointing at lost data.
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mf_contracts.logging import get_logger
from mf_contracts.storage import fsync_dir

from ..domain import TEMP_PREFIX, object_relpath, thumb_relpath

log = get_logger(__name__)
CHUNK = 1024 * 1024
# Filesystems (some NAS mounts) that refuse hard links answer with one of these.
_NO_HARDLINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


@dataclass(frozen=True)
class Hashed:
    sha256: str
    size: int


@dataclass(frozen=True)
class Found:
    """A file found by a walk: its path relative to the walked folder, and its mtime."""

    rel: PurePosixPath
    path: Path
    mtime: float


def hash_file(path: Path) -> Hashed:
    """SHA256 and size in one streaming read, then fsync: the bytes are on disk before
    any name for them is published."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(f.fileno())
    return Hashed(digest.hexdigest(), size)


class MediaFs:
    def __init__(self, *, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.thumbs = root / "thumbs"
        self.staging = root / "staging"

    def object_path(self, *, sha256: str, ext: str) -> Path:
        return self.root / object_relpath(sha256=sha256, ext=ext)

    def thumb_path(self, *, sha256: str, ext: str) -> Path:
        return self.root / thumb_relpath(sha256=sha256, ext=ext)

    # -- storing and removing -----------------------------------------------------
    def place(self, *, src: Path, dst: Path) -> None:
        """Publish `src`'s bytes under `dst` atomically (replacing a stale `dst`).

        A hard link then a rename: the staging name stays until the caller's database
        commit, so a crash before the commit leaves the job re-runnable (the object
        name without a row is an orphan the GC removes). Falls back to a plain rename
        where hard links are refused, and to copy+fsync+rename across filesystems.
        """
        _ensure_dir(dst.parent)
        tmp = dst.parent / f"{TEMP_PREFIX}{dst.name}-{uuid.uuid4().hex[:8]}"
        try:
            os.link(src, tmp)
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                log.warning("staging and objects are on different filesystems; copying",
                            src=str(src), dst=str(dst))
                _copy_synced(src, tmp)
            elif exc.errno in _NO_HARDLINKS:
                os.replace(src, dst)
                fsync_dir(dst.parent)
                return
            else:
                raise
        try:
            os.replace(tmp, dst)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(dst.parent)

    def remove(self, path: Path) -> bool:
        """Unlink a stored file (and make that durable); False if it was not there."""
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        fsync_dir(path.parent)
        return True

    # -- walking (for the GC) -----------------------------------------------------
    def walk_objects(self) -> list[Found]:
        return _walk(self.objects)

    def walk_thumbs(self) -> list[Found]:
        return _walk(self.thumbs)

    def staging_folders(self) -> list[tuple[Path, float]]:
        """Each job folder in staging with the newest mtime found anywhere inside it."""
        if not self.staging.is_dir():
            return []
        return [(entry, _newest_mtime(entry)) for entry in self.staging.iterdir()]


def remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _ensure_dir(path: Path) -> None:
    """mkdir -p, fsyncing each parent that gained an entry (the new folder's name)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # a concurrent store made it
        fsync_dir(folder.parent)


def _copy_synced(src: Path, dst: Path) -> None:
    try:
        with open(src, "rb") as fin, open(dst, "xb") as fout:
            shutil.copyfileobj(fin, fout, CHUNK)
            fout.flush()
            os.fsync(fout.fileno())
    except BaseException:
        dst.unlink(missing_ok=True)
        raise


def _walk(folder: Path) -> list[Found]:
    found = []
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            try:
                mtime = path.lstat().st_mtime
            except FileNotFoundError:
                continue  # removed while we walked
            found.append(Found(PurePosixPath(path.relative_to(folder).as_posix()), path, mtime))
    return found


def _newest_mtime(entry: Path) -> float:
    try:
        newest = entry.lstat().st_mtime
    except FileNotFoundError:
        return 0.0
    if entry.is_dir() and not entry.is_symlink():
        for dirpath, dirnames, filenames in os.walk(entry):
            for name in (*dirnames, *filenames):
                try:
                    newest = max(newest, (Path(dirpath) / name).lstat().st_mtime)
                except FileNotFoundError:
                    continue
    return newest
