"""Paths on the media volume shared by the downloader, transcoder and library.

Staging lives on the same filesystem as objects/ so storing a file is an atomic
rename. Every path a service writes is confined under MF_MEDIA_ROOT.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


class OutsideMediaRoot(ValueError):
    """A path escaped the media root (`..`, a symlink, an absolute name)."""


def confine(path: Path | str, root: Path) -> Path:
    """Resolve `path` and refuse it unless it lies inside `root`."""
    resolved = Path(path).resolve()
    root = root.resolve()
    if resolved != root and root not in resolved.parents:
        raise OutsideMediaRoot(f"{path} is outside {root}")
    return resolved


def staging_dir(media_root: Path, job_id: uuid.UUID | str) -> Path:
    """The job's private staging folder (created on demand)."""
    path = media_root / "staging" / str(uuid.UUID(str(job_id)))
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_staging(media_root: Path, job_id: uuid.UUID | str) -> None:
    path = media_root / "staging" / str(uuid.UUID(str(job_id)))
    shutil.rmtree(confine(path, media_root), ignore_errors=True)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (the directory entry, not just the data)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
