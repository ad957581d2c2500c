"""The fault suite's fixtures: media made to break things, the rig, figures.

- `fault_media` / `fault_server`: ffmpeg-made files only this suite needs (distinct
  browser-ready variants, a long VP9 clip, a 16K-frame bomb, a 13-hour clip, a WebM
  whose container lies about its length) behind their own MediaServer on 127.0.0.1.
- `rig` (mf_testkit.procstack.Rig): `rig.stack(**overrides)` runs the services as real
  processes that tests kill and restart; `rig.audit` (mf_testkit.audit) checks that
  nothing was lost or doubled; `rig.cli(settings, "gc")` runs `mf` as an operator
  would. Session-scoped, so module-scoped fixtures can share one stack.
- `figures(line)`: measured figures, printed in the run's closing summary (with each
  module's wall time and CPU).
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest
from mf_testkit.httpserver import MediaServer
from mf_testkit.media import media_cache_dir
from mf_testkit.procstack import Rig

MEDIA_RECIPE = "faults-v3"


# -- media ---------------------------------------------------------------------------
def _ffmpeg(*args: str) -> None:
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {done.stderr[-2000:]}")


def _lying_webm(src: Path, dst: Path, *, seconds: float) -> None:
    """Copy a WebM and rewrite its Segment Info Duration (EBML id 0x4489, in ms with the
    default TimecodeScale) to `seconds`: the container claims hours, the frames are 3 s."""
    data = bytearray(src.read_bytes())
    pos = data.find(b"\x44\x89")
    assert pos > 0, "no Duration element in the WebM"
    size_byte = data[pos + 2]
    if size_byte == 0x88:
        data[pos + 3:pos + 11] = struct.pack(">d", seconds * 1000)
    elif size_byte == 0x84:
        data[pos + 3:pos + 7] = struct.pack(">f", seconds * 1000)
    else:
        raise AssertionError(f"unexpected Duration size byte {size_byte:#x}")
    dst.write_bytes(bytes(data))


def _make_media(dest: Path, base: dict[str, Path]) -> None:
    """Everything this suite serves, in `dest` (skipped when already there)."""
    for kind in ("h264_aac_mp4_faststart", "vp9_opus_webm", "h264_aac_mkv", "truncated"):
        target = dest / base[kind].name
        if not target.exists():
            shutil.copyfile(base[kind], target)
    variants = dest / "v"
    variants.mkdir(exist_ok=True)
    for n in range(24):  # distinct bytes, same browser-ready streams: the transcoder keeps them
        out = variants / f"clip{n:02d}.mp4"
        if not out.exists():
            _ffmpeg("-i", str(base["h264_aac_mp4_faststart"]), "-map", "0", "-c", "copy",
                    "-map_metadata", "-1", "-metadata", f"comment=fault variant {n}",
                    "-movflags", "+faststart", str(out))
    recipes = {
        # ~6 s of x264 on 2 cores: long enough to kill the transcoder mid-ffmpeg.
        "long_vp9.webm": ("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=30",
                          "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=30",
                          "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                          "-row-mt", "1", "-b:v", "400k", "-c:a", "libopus", "-b:a", "48k"),
        # 400 KB that decode to 16K (15360x8640) frames: a decompression bomb.
        "bomb_16k.mp4": ("-f", "lavfi", "-i", "color=c=black:s=15360x8640:r=25:d=0.04",
                         "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast",
                         "-pix_fmt", "yuv420p", "-movflags", "+faststart"),
        # 13 hours for real, at one frame per ten minutes: 2.5 KB.
        "long_13h.mp4": ("-f", "lavfi", "-i", "color=c=blue:s=64x64:r=1/600:d=46800",
                         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                         "-movflags", "+faststart"),
    }
    for name, args in recipes.items():
        out = dest / name
        if not out.exists():
            tmp = out.with_name(f".part-{os.getpid()}-{name}")
            _ffmpeg(*args, str(tmp))
            os.replace(tmp, out)
    lying = dest / "claims_10h.webm"
    if not lying.exists():
        _lying_webm(base["vp9_opus_webm"], lying, seconds=10 * 3600)


@pytest.fixture(scope="session")
def fault_media(media_files: dict[str, Path]) -> Path:
    """The folder of this suite's media (cached next to the testkit's own)."""
    dest = media_cache_dir().parent / MEDIA_RECIPE
    dest.mkdir(parents=True, exist_ok=True)
    _make_media(dest, media_files)
    return dest


@pytest.fixture
def fault_server(fault_media: Path):
    """A MediaServer over `fault_media`, fresh per test (its own routes and request log)."""
    with MediaServer(fault_media) as server:
        yield server

@pytest.fixture(scope="session")
def rig(pg_dsn: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    return Rig(pg_dsn, redis_url, tmp_path_factory)

# -- figures ---------------------------------------------------------------------------
_FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figures():
    """`figures(line)`: a measured figure, printed in the run's closing summary."""
    return _FIGURES.append


@pytest.fixture(scope="module", autouse=True)
def module_cost(request):
    """Wall time and CPU (this process and its reaped children: the services, yt-dlp,
    ffmpeg) of each module, as a figure: what bounds the suite on 2 cores is CPU."""
    import resource

    def cpu() -> float:
        own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    began, spent = time.monotonic(), cpu()
    yield
    _FIGURES.append(f"{request.module.__name__.rsplit('.', 1)[-1]}: "
                    f"{time.monotonic() - began:.0f} s wall, {cpu() - spent:.0f} s CPU")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _FIGURES:
        terminalreporter.section("MediaFetcher fault suite: figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
