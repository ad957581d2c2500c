"""yt-dlp behind a small interface."""
from __future__ import annotations


def ytdlp_version() -> str:
    from yt_dlp.version import __version__

    return __version__
