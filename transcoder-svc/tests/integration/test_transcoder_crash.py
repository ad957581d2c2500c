"""kill -9 of the transcoder process mid-ffmpeg, then a restart: the redelivered job
completes exactly once, from scratch, and its output is valid."""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from mf_testkit.bus_rig import wait_until
from mf_testkit.infra import settings_env
from mf_testkit.pipeline import pipeline_settings, submitter, watching

OUTCOMES = {"MediaTranscoded", "TranscodeFailed"}


def start_service(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mf_transcoder"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)


async def healthy(port: int) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


async def test_kill_9_mid_ffmpeg_and_restart_completes_exactly_once(
        settings, long_clip, kit, tmp_path):
    cfg = pipeline_settings(settings)
    env, log = settings_env(cfg), tmp_path / "transcoder.log"
    job_id = uuid.uuid4()
    staged = kit.stage(cfg, job_id, long_clip)
    procs: list[subprocess.Popen] = []
    try:
        async with submitter(cfg) as sub, watching(cfg) as watch:
            procs.append(start_service(env, log))
            await wait_until(lambda: healthy(cfg.transcoder_port), timeout=30, what="first start")
            sent = await kit.send_downloaded(sub, job_id=job_id, path=staged)
            await watch.wait_for(job_id, {"DownloadProgress"}, timeout=60)
            [orphan] = kit.ffmpeg_pids(str(staged.parent))
            procs[0].kill()
            procs[0].wait()
            # ffmpeg dies with its parent: it cannot race the retry for the same file.
            await wait_until(lambda: _dead(orphan), timeout=10, what="ffmpeg gone with the service")
            assert staged.is_file()  # the input survives a crash mid-job
            procs.append(start_service(env, log))
            done = await watch.wait_for(job_id, OUTCOMES, timeout=150)
            await wait_until(lambda: kit.applied(cfg, sent.id), timeout=30, what="committed")
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    assert done.type == "MediaTranscoded", (done.payload, log.read_text()[-3000:])
    assert await kit.emitted(cfg, job_id) == ["MediaTranscoded"]
    assert len({e.id for e in watch.of(job_id, *OUTCOMES)}) == 1
    output = Path(done.payload.path)
    info = kit.ffprobe(output)
    assert sorted(s["codec_name"] for s in info["streams"]) == ["aac", "h264"]
    assert abs(float(info["format"]["duration"]) - 40.0) <= 0.2
    boxes = kit.top_level_boxes(output)
    assert boxes.index("moov") < boxes.index("mdat")
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]  # no temp, no input


async def _dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state == "Z"
