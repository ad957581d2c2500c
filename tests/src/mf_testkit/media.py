"""Small, real media files made by ffmpeg from lavfi sources, for tests.

Every file the transcoder, downloader and library tests touch comes from here, so the
rig never needs the network or checked-in binaries. Each kind stands for one decision
the pipeline makes (keep / faststart / remux / transcode / broken), see `MediaKind.case`.

Generation is cached: `generate_media(dest)` skips kinds whose output already exists
(outputs are written under a temporary name and renamed into place, so "exists" means
"complete"). `RECIPE_VERSION` hashes every recipe; the fixture puts it in the cache
directory name, so changing a recipe regenerates instead of reusing stale files.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

DURATION_S = 3
SIZE = "320x240"
FPS = 25
TRUNCATE_FRACTION = 0.4
_EPOCH = "1"  # bump for changes the hash below cannot see (e.g. how truncation works)

_VIDEO_IN = ("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate={FPS}:duration={DURATION_S}")
_AUDIO_IN = ("-f", "lavfi", "-i",
             f"sine=frequency=440:beep_factor=4:sample_rate=48000:duration={DURATION_S}")
# superfast, not ultrafast: ultrafast turns CABAC off and x264 then writes Constrained
# Baseline whatever -profile says; superfast gives a real High profile just as quickly.
_H264 = ("-c:v", "libx264", "-preset", "superfast", "-profile:v", "high", "-pix_fmt", "yuv420p")
_AAC = ("-c:a", "aac", "-b:a", "96k")


@dataclass(frozen=True)
class MediaKind:
    """One generated file: what it contains and which pipeline case it exercises."""

    filename: str            # relative to the media dir (for hls: the playlist)
    format_name: str         # one of the names in ffprobe's format_name
    video: str | None        # ffprobe codec_name of the video stream
    audio: str | None        # ffprobe codec_name of the audio stream
    case: str                # keep | faststart | remux | transcode | hls | broken
    description: str
    args: tuple[str, ...] = ()   # ffmpeg output options; empty for derived kinds


MEDIA_KINDS: dict[str, MediaKind] = {
    "h264_aac_mp4": MediaKind(
        "h264_aac_mp4.mp4", "mp4", "h264", "aac", "faststart",
        "H.264 High + AAC in MP4, moov atom at the end: needs only a faststart remux",
        (*_H264, *_AAC, "-movflags", "-faststart")),
    "h264_aac_mp4_faststart": MediaKind(
        "h264_aac_mp4_faststart.mp4", "mp4", "h264", "aac", "keep",
        "H.264 High + AAC in MP4 with moov first: browser-ready, keep as is",
        (*_H264, *_AAC, "-movflags", "+faststart")),
    "h264_aac_mkv": MediaKind(
        "h264_aac_mkv.mkv", "matroska", "h264", "aac", "remux",
        "H.264 + AAC in Matroska: codecs fine, container not: remux to MP4",
        (*_H264, *_AAC)),
    "vp9_opus_webm": MediaKind(
        "vp9_opus_webm.webm", "webm", "vp9", "opus", "transcode",
        "VP9 + Opus in WebM: transcode to H.264/AAC",
        ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
         "-b:v", "300k", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "64k")),
    "hevc_mkv": MediaKind(
        "hevc_mkv.mkv", "matroska", "hevc", "aac", "transcode",
        "HEVC (x265) + AAC in Matroska: transcode",
        ("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
         "-pix_fmt", "yuv420p", *_AAC)),
    "audio_only": MediaKind(
        "audio_only.mp3", "mp3", None, "mp3", "keep",
        "MP3 audio, no video stream",
        ("-c:a", "libmp3lame", "-b:a", "96k")),
    # Debian's libx264 is built with 10-bit support (yuv420p10le is listed by
    # `ffmpeg -h encoder=libx264`), so this kind is always generated here.
    "h264_high10_mp4": MediaKind(
        "h264_high10_mp4.mp4", "mp4", "h264", "aac", "transcode",
        "H.264 High 10 (yuv420p10le) + AAC in MP4: browsers cannot decode it",
        ("-c:v", "libx264", "-preset", "superfast", "-profile:v", "high10",
         "-pix_fmt", "yuv420p10le", *_AAC, "-movflags", "+faststart")),
    "hls": MediaKind(
        "hls/index.m3u8", "hls", "h264", "aac", "hls",
        "HLS VOD playlist of ~1 s H.264/AAC MPEG-TS segments",
        (*_H264, *_AAC, "-g", str(FPS), "-keyint_min", str(FPS), "-sc_threshold", "0",
         "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
         "-hls_segment_type", "mpegts")),
    "truncated": MediaKind(
        "truncated.mp4", "mp4", "h264", "aac", "broken",
        f"h264_aac_mp4 cut to {TRUNCATE_FRACTION:.0%} of its bytes: moov lost, unreadable"),
}


def _recipe_version() -> str:
    """A short hash of every recipe, so a changed recipe means a new cache directory."""
    blob = json.dumps({"epoch": _EPOCH, "in": [_VIDEO_IN, _AUDIO_IN],
                       "truncate": TRUNCATE_FRACTION,
                       "kinds": {k: asdict(v) for k, v in MEDIA_KINDS.items()}},
                      sort_keys=True)
    return "r" + _EPOCH + "-" + hashlib.sha256(blob.encode()).hexdigest()[:10]


RECIPE_VERSION = _recipe_version()


def media_cache_dir() -> Path:
    """Where the fixtures keep generated media: `$MF_TEST_MEDIA_CACHE` (or
    `~/.cache/mediafetcher-test-media`) / RECIPE_VERSION."""
    base = os.environ.get("MF_TEST_MEDIA_CACHE") or Path.home() / ".cache/mediafetcher-test-media"
    return Path(base) / RECIPE_VERSION


def generate_media(dest: Path, *, kinds: list[str] | None = None) -> dict[str, Path]:
    """Make every kind (or just `kinds`) under `dest`; return kind -> path.

    Idempotent: kinds already present are skipped. A file lock keeps concurrent
    pytest processes from generating the same directory twice.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    wanted = list(kinds or MEDIA_KINDS)
    with _locked(dest / ".lock"):
        todo = [k for k in wanted if k != "truncated" and not _is_valid(dest, k)]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            list(pool.map(lambda k: _encode(dest, k), todo))
        if "truncated" in wanted and not _is_valid(dest, "truncated"):
            if not _is_valid(dest, "h264_aac_mp4"):
                _encode(dest, "h264_aac_mp4")
            _truncate(dest)
    return {k: dest / MEDIA_KINDS[k].filename for k in wanted}


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _is_valid(dest: Path, kind: str) -> bool:
    """Complete outputs are renamed into place, so a non-empty file is a finished one;
    an HLS playlist also needs its end tag and every segment it lists."""
    path = dest / MEDIA_KINDS[kind].filename
    if not path.is_file() or path.stat().st_size == 0:
        return False
    if kind != "hls":
        return True
    text = path.read_text()
    segments = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return "#EXT-X-ENDLIST" in text and bool(segments) and all(
        (path.parent / s).is_file() for s in segments)


def _ffmpeg(*args: str) -> None:
    proc = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args],
                          check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr}")


def _inputs(kind: MediaKind) -> tuple[str, ...]:
    return (*(_VIDEO_IN if kind.video else ()), *(_AUDIO_IN if kind.audio else ()))


def _encode(dest: Path, name: str) -> None:
    """Encode under a temporary name, then rename: a crash never leaves a half file."""
    kind = MEDIA_KINDS[name]
    if name == "hls":
        _encode_hls(dest, kind)
        return
    final = dest / kind.filename
    tmp = final.with_name(f"{final.stem}.part-{os.getpid()}{final.suffix}")
    try:
        _ffmpeg(*_inputs(kind), *kind.args, str(tmp))
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def _encode_hls(dest: Path, kind: MediaKind) -> None:
    final_dir = (dest / kind.filename).parent
    tmp_dir = dest / f".hls.part-{os.getpid()}"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir()
    try:
        playlist = tmp_dir / Path(kind.filename).name
        _ffmpeg(*_inputs(kind), *kind.args,
                "-hls_segment_filename", str(tmp_dir / "seg_%03d.ts"), str(playlist))
        shutil.rmtree(final_dir, ignore_errors=True)
        os.replace(tmp_dir, final_dir)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _truncate(dest: Path) -> None:
    data = (dest / MEDIA_KINDS["h264_aac_mp4"].filename).read_bytes()
    final = dest / MEDIA_KINDS["truncated"].filename
    tmp = final.with_name(f"{final.name}.part-{os.getpid()}")
    tmp.write_bytes(data[: int(len(data) * TRUNCATE_FRACTION)])
    os.replace(tmp, final)
