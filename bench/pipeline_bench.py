"""Submit → playable through the services, against the raw tools on the same media.

    uv run python bench/pipeline_bench.py [--seconds 30]

Three figures, each measured in this run on media served from 127.0.0.1:
  compatible MP4:  services vs `yt-dlp URL`                 (target <= 1.15x)
  WebM (VP9/Opus): services vs `yt-dlp URL` + `ffmpeg` to H.264/AAC (target <= 1.05x)
  repeat submit of a stored source: time to the new item     (target < 50 ms, no download)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from mf_contracts.settings import Settings
from mf_downloader.app import SPEC as DOWNLOADER
from mf_library.app import SPEC as LIBRARY
from mf_testkit.httpserver import MediaServer
from mf_testkit.infra import fresh_database, fresh_redis
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC as TRANSCODER

CACHE = Path.home() / ".cache" / "mediafetcher-bench"


def make_media(seconds: int) -> dict[str, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    src = ["-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
           "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    recipes = {
        "mp4": ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                "-movflags", "+faststart"],
        "webm": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2M",
                 "-c:a", "libopus"],
    }
    out = {}
    for ext, args in recipes.items():
        path = CACHE / f"bench_{seconds}s.{ext}"
        if not path.exists():
            subprocess.run(["ffmpeg", "-v", "error", "-y", *src, *args, str(path)], check=True)
        out[ext] = path
    return out


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def raw_tools(url: str, *, transcode: bool, preset: str, crf: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        elapsed = timed([sys.executable, "-m", "yt_dlp", "-q", "--no-progress", "-o",
                         f"{tmp}/%(id)s.%(ext)s", url])
        if transcode:
            [src] = list(Path(tmp).iterdir())
            elapsed += timed(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c:v", "libx264",
                              "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
                              "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart",
                              f"{tmp}/out.mp4"])
    return elapsed


async def through_services(settings: Settings, url: str, *, repeat: bool = False) -> float:
    async with submitter(settings, name=f"bench_{uuid.uuid4().hex[:6]}") as sub, \
            watching(settings) as watch:
        t0 = time.perf_counter()
        job = await sub.submit(url)
        done = await watch.wait_for(job, timeout=600)
        elapsed = time.perf_counter() - t0
        if done.type != "LibraryItemAdded":
            raise SystemExit(f"{url}: {done.type} {done.payload}")
        if repeat and watch.of(job, "DownloadStarted"):
            raise SystemExit("the repeat submit downloaded again")
    return elapsed


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=30)
    args = p.parse_args()
    media = make_media(args.seconds)
    with MediaServer(CACHE) as server, tempfile.TemporaryDirectory() as root:
        mp4_url, webm_url = server.url(f"/files/{media['mp4'].name}"), server.url(f"/files/{media['webm'].name}")
        async with fresh_database() as dsn:
            with fresh_redis() as redis_url:
                base = Settings(env="test", database_url=dsn, redis_url=redis_url, redis_prefix="pb:",
                                media_root=Path(root), log_level="WARNING", log_format="console")
                settings = pipeline_settings(base)
                raw_mp4 = raw_tools(mp4_url, transcode=False, preset=settings.ffmpeg_preset, crf=settings.ffmpeg_crf)
                raw_webm = raw_tools(webm_url, transcode=True, preset=settings.ffmpeg_preset, crf=settings.ffmpeg_crf)
                async with running(settings, [DOWNLOADER, TRANSCODER, LIBRARY]):
                    svc_mp4 = await through_services(settings, mp4_url)
                    svc_webm = await through_services(settings, webm_url)
                    await asyncio.sleep(1)  # the downloader learns the source is stored
                    repeats = [await through_services(settings, mp4_url, repeat=True) for _ in range(5)]
    repeat_ms = sorted(repeats)[len(repeats) // 2] * 1000
    result = {"media_seconds": args.seconds,
              "mp4_services_s": round(svc_mp4, 3), "mp4_raw_ytdlp_s": round(raw_mp4, 3),
              "mp4_ratio": round(svc_mp4 / raw_mp4, 3),
              "webm_services_s": round(svc_webm, 3), "webm_raw_ytdlp_ffmpeg_s": round(raw_webm, 3),
              "webm_ratio": round(svc_webm / raw_webm, 3), "repeat_submit_median_ms": round(repeat_ms, 1)}
    print(json.dumps(result))
    print(f"compatible MP4: {svc_mp4:.2f}s vs yt-dlp {raw_mp4:.2f}s = {svc_mp4 / raw_mp4:.2f}x (target <= 1.15x)")
    print(f"WebM transcode: {svc_webm:.2f}s vs yt-dlp+ffmpeg {raw_webm:.2f}s = {svc_webm / raw_webm:.2f}x "
          f"(target <= 1.05x)")
    print(f"repeat submit of a stored source: {repeat_ms:.1f} ms median to the new item (target < 50 ms)")


if __name__ == "__main__":
    asyncio.run(main())
