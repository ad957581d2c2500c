"""Phone clips stored sideways with a display matrix stay upright: a copied video keeps
its matrix, an encoded one is rotated into its pixels and loses it."""
from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC

CLIP = ("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1")
VIDEO = {"h264": ("-c:v", "libx264", "-preset", "superfast", "-pix_fmt", "yuv420p"),
         "hevc": ("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
                  "-pix_fmt", "yuv420p")}


def rotated_clip(tmp_path: Path, codec: str) -> Path:
    """A 320x240 clip a phone would show as 240x320 (display matrix, moov at the end)."""
    plain, rotated = tmp_path / f"{codec}-plain.mp4", tmp_path / f"{codec}-rotated.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", *CLIP, *VIDEO[codec], "-c:a", "aac",
                    str(plain)], check=True)
    # ffmpeg 5.1 writes the matrix from the `rotate` tag only when stream copying.
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(plain), "-c", "copy",
                    "-metadata:s:v:0", "rotate=90", "-movflags", "-faststart", str(rotated)],
                   check=True)
    return rotated


def display_size(info: dict) -> tuple[int, int]:
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    rotation = next((int(d["rotation"]) for d in video.get("side_data_list", [])
                     if "rotation" in d), 0)
    w, h = video["width"], video["height"]
    return (h, w) if rotation % 180 else (w, h)


async def test_rotated_clips_stay_upright(settings, tmp_path, kit):
    cfg = pipeline_settings(settings)
    jobs = {codec: uuid.uuid4() for codec in VIDEO}
    staged = {codec: kit.stage(cfg, job, rotated_clip(tmp_path, codec))
              for codec, job in jobs.items()}
    assert all(display_size(kit.ffprobe(p)) == (240, 320) for p in staged.values())
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        for codec, job in jobs.items():
            await kit.send_downloaded(sub, job_id=job, path=staged[codec])
        done = {codec: await watch.wait_for(job, {"MediaTranscoded", "TranscodeFailed"},
                                            timeout=60) for codec, job in jobs.items()}
    assert done["h264"].payload.action == "faststart"
    assert done["hevc"].payload.action == "transcode"
    for codec, env in done.items():
        info = kit.ffprobe(Path(env.payload.path))
        assert display_size(info) == (240, 320), codec
        assert (env.payload.probe.width, env.payload.probe.height) == (240, 320)
    encoded = kit.ffprobe(Path(done["hevc"].payload.path))["streams"][0]
    assert (encoded["width"], encoded["height"]) == (240, 320)  # rotated into the pixels
    assert "side_data_list" not in encoded or not any(
        d.get("rotation") for d in encoded["side_data_list"])
