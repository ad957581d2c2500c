"""Remux and transcode speed (x real time) of the service's own ffmpeg commands.

    cd /work/main && uv run python transcoder-svc/scripts/measure_speed.py

Runs the exact argument lists the service builds (`decide` + `build_args`) on the
test fixture media and on two generated 30 s 720p clips (fixtures are 3 s, where
process start-up dominates). Speed = media seconds / ffmpeg wall seconds.
"""
from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from mf_contracts.settings import Settings
from mf_testkit.media import generate_media, media_cache_dir
from mf_transcoder import domain
from mf_transcoder.adapters.ffmpeg import build_args, run_ffmpeg
from mf_transcoder.job import probe_media

CLIP_720P = ("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=30",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=30")
GENERATED = {
    "h264_aac_720p.mkv": ("-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                          "-c:a", "aac"),
    "vp9_opus_720p.webm": ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                           "-row-mt", "1", "-b:v", "1500k", "-c:a", "libopus"),
}


async def measure(path: Path, out_dir: Path,
                  settings: Settings) -> tuple[str, float, float, float]:
    probe = await probe_media(path)
    plan = domain.decide(probe)
    if isinstance(plan, domain.Refusal) or plan.action == "keep":
        return ("keep" if not isinstance(plan, domain.Refusal) else "refused"), 0.0, 0.0, 0.0
    args = build_args(source=path, output=out_dir / f"{path.stem}.mp4", plan=plan,
                      preset=settings.ffmpeg_preset, crf=settings.ffmpeg_crf)

    async def ignore(_: str) -> None: ...
    async def never() -> bool:
        return False

    start, cpu_before = time.monotonic(), _children_cpu()
    run = await run_ffmpeg(args, on_progress=ignore, should_stop=never)
    elapsed, cpu = time.monotonic() - start, _children_cpu() - cpu_before
    assert run.returncode == 0, run.stderr
    return plan.action, elapsed, (probe.duration or 0) / elapsed, cpu


def _children_cpu() -> float:
    """CPU seconds of finished child processes: unlike wall time, not inflated by load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def measure_all(inputs: list[Path], out_dir: Path) -> None:
    settings = Settings()
    print(f"preset={settings.ffmpeg_preset} crf={settings.ffmpeg_crf} "
          f"load average={os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for path in inputs:
        action, seconds, speed, cpu = await measure(path, out_dir, settings)
        print(f"{path.name:28} {action:10} {seconds:6.2f} s wall {cpu:6.2f} s cpu "
              f"{speed:7.1f}x real time")


def main() -> None:
    media = generate_media(media_cache_dir())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        for name, args in GENERATED.items():
            subprocess.run(["ffmpeg", "-v", "error", "-y", *CLIP_720P, *args,
                            str(tmp_dir / name)], check=True)
        inputs = [p for k, p in media.items() if k not in ("hls", "truncated")]
        asyncio.run(measure_all(inputs + [tmp_dir / name for name in GENERATED], tmp_dir))


if __name__ == "__main__":
    main()
