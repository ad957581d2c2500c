"""Broken and refused inputs end as TranscodeFailed with a reason a person can read,
and nothing of the job is left in staging."""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from mf_testkit.bus_rig import wait_until
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC

OUTCOMES = {"MediaTranscoded", "TranscodeFailed"}


def wider_than_8k(path: Path) -> Path:
    """One 7696x16 frame of VP9: cheap to make, refused before any decoding."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=size=7696x16:duration=0.04", "-c:v", "libvpx-vp9", str(path)],
                   check=True)
    return path


async def test_broken_and_refused_files_fail_with_a_reason_and_leave_no_staging(
        settings, media_files, kit, tmp_path):
    cfg = pipeline_settings(settings)
    jobs = {"truncated": uuid.uuid4(), "garbage": uuid.uuid4(), "huge": uuid.uuid4()}
    staged = {"truncated": kit.stage(cfg, jobs["truncated"], media_files["truncated"]),
              "garbage": kit.stage(cfg, jobs["garbage"], media_files["truncated"], "noise.bin"),
              "huge": kit.stage(cfg, jobs["huge"], wider_than_8k(tmp_path / "wide.webm"))}
    staged["garbage"].write_bytes(os.urandom(64 * 1024))
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        for kind, job_id in jobs.items():
            await kit.send_downloaded(sub, job_id=job_id, path=staged[kind])
        outcome = {kind: await watch.wait_for(job_id, OUTCOMES, timeout=30)
                   for kind, job_id in jobs.items()}
    assert {env.type for env in outcome.values()} == {"TranscodeFailed"}
    reasons = {kind: env.payload.reason for kind, env in outcome.items()}
    assert reasons == {
        "truncated": "The downloaded file is not playable media (moov atom not found)",
        "garbage": "The downloaded file is not playable media "
                   "(Invalid data found when processing input)",
        "huge": "The video is 7696x16; the largest size accepted is 8K (7680x4320)"}
    assert not any(path.parent.exists() for path in staged.values())


async def test_a_path_outside_the_jobs_staging_folder_is_refused_and_left_alone(
        settings, media_files, kit):
    cfg = pipeline_settings(settings)
    job_id, other_job = uuid.uuid4(), uuid.uuid4()
    # Another job's file (or a stored object): converting it would delete it afterwards.
    foreign = kit.stage(cfg, other_job, media_files["h264_aac_mp4"])
    before = kit.sha256(foreign)
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        await kit.send_downloaded(sub, job_id=job_id, path=foreign)
        sneaky = foreign.parent.parent / str(job_id) / ".." / str(other_job) / foreign.name
        await kit.send_downloaded(sub, job_id=job_id, path=sneaky)
        env = await watch.wait_for(job_id, OUTCOMES, timeout=30)
        await wait_until(lambda: _count(watch, job_id, 2), timeout=30, what="both refused")
    assert {e.type for e in watch.of(job_id, *OUTCOMES)} == {"TranscodeFailed"}
    assert "not in the job's staging folder" in env.payload.reason
    assert foreign.is_file() and kit.sha256(foreign) == before


async def test_an_already_stored_source_needs_nothing(settings, kit):
    cfg = pipeline_settings(settings)
    job_id = uuid.uuid4()
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        env = await kit.send_downloaded(sub, job_id=job_id, path="", existing_sha256="ab" * 32)
        await wait_until(lambda: kit.applied(cfg, env.id), timeout=30, what="event applied")
    # Committed with the inbox row, so an emitted event would be in the outbox by now.
    assert await kit.emitted(cfg, job_id) == []
    assert watch.of(job_id, *OUTCOMES) == []


async def _count(watch, job_id, n: int) -> bool:
    await watch.poll()
    return len(watch.of(job_id, *OUTCOMES)) >= n
