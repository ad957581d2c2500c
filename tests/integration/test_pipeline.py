"""URL → downloaded → verified → browser-playable → stored once, ref counted.

The downloader, transcoder and library run with the production runtime; media comes
from the local server; every result is checked independently with ffprobe.
"""
from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from mf_downloader.app import SPEC as DOWNLOADER
from mf_library.app import SPEC as LIBRARY
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC as TRANSCODER

# kind -> (URL path, the action the transcoder must take)
CASES = {
    "h264_aac_mp4_faststart": ("/files/h264_aac_mp4_faststart.mp4", "keep"),
    "h264_aac_mp4": ("/files/h264_aac_mp4.mp4", "faststart"),
    "h264_aac_mkv": ("/files/h264_aac_mkv.mkv", "remux"),
    "vp9_opus_webm": ("/files/vp9_opus_webm.webm", "transcode"),
    "hevc_mkv": ("/files/hevc_mkv.mkv", "transcode"),
    "h264_high10_mp4": ("/files/h264_high10_mp4.mp4", "transcode"),
    "audio_only": ("/files/audio_only.mp3", "transcode"),
    "hls": ("/files/hls/index.m3u8", None),  # yt-dlp itself may already write an MP4
    "page": ("/page/vp9_opus_webm.webm", "transcode"),
}


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def top_level_boxes(path: Path) -> list[str]:
    """MP4 box types in file order (independent of the service's own parser)."""
    boxes, data = [], path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        boxes.append(kind)
        if size < 8:
            break
        pos += size
    return boxes


def assert_browser_playable(path: Path, *, audio_only: bool) -> None:
    info = ffprobe(path)
    assert "mp4" in info["format"]["format_name"]
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert streams["audio"]["codec_name"] == "aac"
    if audio_only:
        assert "video" not in streams
    else:
        video = streams["video"]
        assert video["codec_name"] == "h264" and video["pix_fmt"] in ("yuv420p", "yuvj420p")
        assert video["profile"] in ("High", "Main", "Constrained Baseline", "Baseline")
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes


@pytest.fixture
def pipe_settings(settings):
    return pipeline_settings(settings)


async def item_file(settings, item_id: str, user_id: uuid.UUID) -> dict:
    async with httpx.AsyncClient(base_url=settings.library_url,
                                 headers={"authorization": f"Bearer {settings.service_token}"}) as c:
        r = await c.get(f"/internal/items/{item_id}/file", params={"user_id": str(user_id)})
        r.raise_for_status()
        return r.json()


def staging_is_empty(settings) -> bool:
    root = settings.media_root / "staging"
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


async def test_every_medium_ends_playable_with_the_right_action(pipe_settings, media_server):
    user = uuid.uuid4()
    async with running(pipe_settings, [DOWNLOADER, TRANSCODER, LIBRARY]), \
            submitter(pipe_settings) as sub, watching(pipe_settings) as watch:
        jobs = {kind: await sub.submit(media_server.url(path), user_id=user)
                for kind, (path, _) in CASES.items()}
        for kind, job in jobs.items():
            done = await watch.wait_for(job, timeout=120)
            assert done.type == "LibraryItemAdded", (kind, done.payload)
            transcoded = watch.of(job, "MediaTranscoded")[0].payload
            expected = CASES[kind][1]
            if expected:
                assert transcoded.action == expected, kind
            meta = await item_file(pipe_settings, done.payload.item_id, user)
            path = Path(meta["path"])
            assert path.is_relative_to(pipe_settings.media_root / "objects")
            assert path.stem == done.payload.sha256
            assert_browser_playable(path, audio_only=kind == "audio_only")
    assert staging_is_empty(pipe_settings)


async def test_broken_and_missing_media_fail_with_reasons(pipe_settings, media_server):
    async with running(pipe_settings, [DOWNLOADER, TRANSCODER, LIBRARY]), \
            submitter(pipe_settings) as sub, watching(pipe_settings) as watch:
        truncated = await sub.submit(media_server.url("/files/truncated.mp4"))
        missing = await sub.submit(media_server.url("/status/404"))
        broken = await watch.wait_for(truncated, timeout=60)
        gone = await watch.wait_for(missing, timeout=60)
    # The downloader's own ffprobe check or the transcoder may catch it: either way a
    # failed job whose reason says what is wrong with the file.
    assert broken.type in ("DownloadFailed", "TranscodeFailed")
    assert "media" in broken.payload.reason and "moov atom not found" in broken.payload.reason
    assert gone.type == "DownloadFailed" and "404" in gone.payload.reason
    assert staging_is_empty(pipe_settings)
    assert not (pipe_settings.media_root / "objects").exists() or \
        not any(p.is_file() for p in (pipe_settings.media_root / "objects").rglob("*"))


async def test_same_content_is_one_file_until_the_last_item_goes(pipe_settings, media_server):
    alice, bob = uuid.uuid4(), uuid.uuid4()
    direct = media_server.url("/files/h264_aac_mp4_faststart.mp4")
    page = media_server.url("/page/h264_aac_mp4_faststart.mp4")
    async with running(pipe_settings, [DOWNLOADER, TRANSCODER, LIBRARY]), \
            submitter(pipe_settings) as sub, watching(pipe_settings) as watch:
        items = []
        for url, user in ((direct, alice), (page, alice), (direct, bob)):
            job = await sub.submit(url, user_id=user)
            done = await watch.wait_for(job, timeout=60)
            assert done.type == "LibraryItemAdded"
            items.append((done.payload.item_id, user, done.payload.sha256))
        assert len({sha for _, _, sha in items}) == 1
        files = [p for p in (pipe_settings.media_root / "objects").rglob("*.mp4")]
        assert len(files) == 1
        async with httpx.AsyncClient(base_url=pipe_settings.library_url, headers={
                "authorization": f"Bearer {pipe_settings.service_token}"}) as c:
            for n, (item_id, user, _) in enumerate(items):
                r = await c.delete(f"/internal/items/{item_id}", params={"user_id": str(user)})
                assert r.status_code == 204
                assert files[0].exists() == (n < len(items) - 1)
