"""Media fixtures: ffmpeg-made files (cached across runs) and the local HTTP server.

Star-imported by `mf_testkit.plugin`, so every suite gets them. All synchronous: the
server runs in its own threads and works the same from sync and async tests.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .httpserver import MediaServer
from .media import generate_media, media_cache_dir

__all__ = ["http_server", "media_dir", "media_files", "media_server"]


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The generated-media directory: $MF_TEST_MEDIA_CACHE (default
    ~/.cache/mediafetcher-test-media) / <recipe version>, filled on first use."""
    dest = media_cache_dir()
    generate_media(dest)
    return dest


@pytest.fixture(scope="session")
def media_files(media_dir: Path) -> dict[str, Path]:
    """kind -> path for every kind in `mf_testkit.media.MEDIA_KINDS` (cheap: cached)."""
    return generate_media(media_dir)


@pytest.fixture(scope="session")
def media_server(media_dir: Path) -> Iterator[MediaServer]:
    """One server for the whole session over the media dir; do not register routes on it
    (use `http_server` for that, so tests cannot leak routes into each other)."""
    with MediaServer(media_dir) as server:
        yield server


@pytest.fixture
def http_server(media_dir: Path) -> Iterator[MediaServer]:
    """A fresh server per test (own routes, request log and cookie value)."""
    with MediaServer(media_dir) as server:
        yield server
