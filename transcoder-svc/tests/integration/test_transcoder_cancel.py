"""JobCancelled stops a running ffmpeg (its process gone, staging removed, nothing
emitted), and a job cancelled before its file arrives is never transcoded."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

from mf_contracts.events import JobCancelled
from mf_testkit.bus_rig import wait_until
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC


async def test_cancel_during_a_transcode_kills_ffmpeg_and_cleans_up(settings, long_clip, kit):
    cfg = pipeline_settings(settings)
    job_id = uuid.uuid4()
    staged = kit.stage(cfg, job_id, long_clip)
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        sent = await kit.send_downloaded(sub, job_id=job_id, path=staged)
        await watch.wait_for(job_id, {"DownloadProgress"}, timeout=60)  # ffmpeg is running
        pids = kit.ffmpeg_pids(str(staged.parent))
        assert len(pids) == 1
        cancelled_at = time.monotonic()
        await sub.send(JobCancelled(), job_id=job_id)
        await wait_until(lambda: kit.applied(cfg, sent.id), timeout=30, what="cancel applied")
        took = time.monotonic() - cancelled_at
        await watch.poll()
    print(f"cancel to commit: {took:.2f} s")
    assert took < 10  # the lane and the twice-a-second poll, not the end of the transcode
    percents = [e.payload.percent for e in watch.of(job_id, "DownloadProgress")]
    assert percents and max(percents) < 100  # stopped part-way, not cancelled after the end
    assert not Path(f"/proc/{pids[0]}").exists() and kit.ffmpeg_pids(str(staged.parent)) == []
    assert not staged.parent.exists()
    assert await kit.emitted(cfg, job_id) == []
    assert watch.of(job_id, "MediaTranscoded", "TranscodeFailed") == []


async def test_a_job_cancelled_before_its_file_arrives_is_skipped(settings, media_files, kit):
    cfg = pipeline_settings(settings)
    job_id = uuid.uuid4()
    staged = kit.stage(cfg, job_id, media_files["vp9_opus_webm"])
    async with running(cfg, [SPEC]), submitter(cfg) as sub:
        cancel = await sub.send(JobCancelled(), job_id=job_id)
        await wait_until(lambda: kit.applied(cfg, cancel.id), timeout=30, what="cancel recorded")
        sent = await kit.send_downloaded(sub, job_id=job_id, path=staged)
        await wait_until(lambda: kit.applied(cfg, sent.id), timeout=30, what="download handled")
    assert not staged.parent.exists()
    assert await kit.emitted(cfg, job_id) == []
