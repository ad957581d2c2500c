"""Every fixture medium through the running transcoder (real ffprobe/ffmpeg, Postgres,
Redis), its result checked independently: MP4, H.264 yuv420p in a browser profile,
AAC, moov before mdat, the same length, and the least work that got there."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from mf_testkit.bus_rig import wait_until
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC

# kind -> (action, audio only)
CASES = {
    "h264_aac_mp4_faststart": ("keep", False),
    "h264_aac_mp4": ("faststart", False),
    "h264_aac_mkv": ("remux", False),
    "vp9_opus_webm": ("transcode", False),
    "hevc_mkv": ("transcode", False),
    "h264_high10_mp4": ("transcode", False),
    "audio_only": ("transcode", True),
    "hls_ts": ("remux", False),
}
# Kinds whose AAC must come through untouched: only their video needed work.
AUDIO_COPIED = {"hevc_mkv", "h264_high10_mp4"}
BROWSER_H264_PROFILES = {"Baseline", "Constrained Baseline", "Main", "High"}


def source_of(kind: str, media_files: dict[str, Path], tmp_path: Path) -> Path:
    """The file as the downloader leaves it. For HLS that is what a native HLS download
    writes: the MPEG-TS segments of the playlist, concatenated."""
    if kind != "hls_ts":
        return media_files[kind]
    playlist = media_files["hls"]
    segments = [ln for ln in playlist.read_text().splitlines() if ln and not ln.startswith("#")]
    out = tmp_path / "stream.ts"
    out.write_bytes(b"".join((playlist.parent / s).read_bytes() for s in segments))
    return out


@pytest.mark.parametrize("kind", list(CASES))
async def test_fixture_medium_ends_browser_playable(kind, settings, media_files, tmp_path, kit):
    action, audio_only = CASES[kind]
    cfg = pipeline_settings(settings)
    source = source_of(kind, media_files, tmp_path)
    job_id = uuid.uuid4()
    staged = kit.stage(cfg, job_id, source)
    source_bytes, source_size = kit.sha256(staged), staged.stat().st_size
    source_duration = _duration(kit.ffprobe(staged))
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        sent = await kit.send_downloaded(sub, job_id=job_id, path=staged, title=kind)
        env = await watch.wait_for(job_id, {"MediaTranscoded", "TranscodeFailed"}, timeout=90)
    assert env.type == "MediaTranscoded", env.payload
    event, output = env.payload, Path(env.payload.path)
    assert event.action == action
    assert event.info.title == kind and env.user_id == sent.user_id
    assert output.parent == staged.parent and output.is_file()
    _assert_browser_playable(kit, output, audio_only=audio_only)
    assert abs(_duration(kit.ffprobe(output)) - source_duration) <= 0.2
    assert event.probe.faststart and event.probe.container == "mp4"
    assert event.source is not None and event.source.size == source_size
    if action == "keep":
        assert output == staged and kit.sha256(output) == source_bytes  # untouched
    else:
        assert output.suffix == (".m4a" if audio_only else ".mp4")
        await wait_until(lambda: _gone(staged), timeout=5, what="input removed")
        assert not list(output.parent.glob(".*.part"))
    if kind in AUDIO_COPIED:
        assert kit.audio_md5(output) == kit.audio_md5(source)


def _assert_browser_playable(kit, path: Path, *, audio_only: bool) -> None:
    info = kit.ffprobe(path)
    fmt = info["format"]
    assert "mp4" in fmt["format_name"].split(",")
    assert fmt["tags"]["major_brand"].strip() not in ("qt", "")  # MP4, not QuickTime
    boxes = kit.top_level_boxes(path)
    assert "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    assert audio[0]["profile"] in ("LC", "HE-AAC", "HE-AACv2")
    if audio_only:
        assert video == []
        return
    assert len(video) == 1 and video[0]["codec_name"] == "h264"
    assert video[0]["pix_fmt"] == "yuv420p"
    assert video[0]["profile"] in BROWSER_H264_PROFILES and video[0]["level"] <= 52
    assert len(info["streams"]) == 2  # nothing else: no data or subtitle tracks


def _duration(info: dict) -> float:
    return float(info["format"]["duration"])


async def _gone(path: Path) -> bool:
    return not path.exists()
