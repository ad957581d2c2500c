"""Broken and refused inputs end as TranscodeFailed with a reason a person can read,
and nothing of the job is left in staging."""
from __future__ import annotations

import os
import uuid

from mf_testkit.bus_rig import wait_until
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from mf_transcoder.app import SPEC

OUTCOMES = {"MediaTranscoded", "TranscodeFailed"}


async def test_broken_files_fail_with_a_reason_and_leave_no_staging(settings, media_files, kit):
    cfg = pipeline_settings(settings)
    truncated, garbage = uuid.uuid4(), uuid.uuid4()
    staged_truncated = kit.stage(cfg, truncated, media_files["truncated"])
    staged_garbage = kit.stage(cfg, garbage, media_files["truncated"], name="noise.bin")
    staged_garbage.write_bytes(os.urandom(64 * 1024))
    async with running(cfg, [SPEC]), submitter(cfg) as sub, watching(cfg) as watch:
        await kit.send_downloaded(sub, job_id=truncated, path=staged_truncated)
        await kit.send_downloaded(sub, job_id=garbage, path=staged_garbage)
        first = await watch.wait_for(truncated, OUTCOMES, timeout=30)
        second = await watch.wait_for(garbage, OUTCOMES, timeout=30)
    assert first.type == second.type == "TranscodeFailed"
    assert first.payload.reason == \
        "The downloaded file is not playable media (moov atom not found)"
    assert second.payload.reason == ("The downloaded file is not playable media "
                                     "(Invalid data found when processing input)")
    assert str(cfg.media_root) not in first.payload.reason + second.payload.reason
    assert not staged_truncated.parent.exists() and not staged_garbage.parent.exists()


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
