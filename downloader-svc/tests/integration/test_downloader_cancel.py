"""JobCancelled stops a running download: the worker's process group is killed, the
staging folder removed, and the job emits neither MediaDownloaded nor DownloadFailed."""
from __future__ import annotations

import os
import signal
import time
import uuid

from mf_contracts.events import JobCancelled, UrlSubmitted
from mf_testkit.bus_rig import wait_until

# ~228 kB at 40 kB/s: about 6 s, long enough to act in the middle.
SLOW = "slow/files/h264_aac_mp4.mp4?bps=40000"


async def _start(kit, sub, watch, url: str):
    job, user = uuid.uuid4(), uuid.uuid4()
    env = await sub.send(UrlSubmitted(url=url), job_id=job, user_id=user)
    await watch.wait_for(job, {"DownloadProgress"}, timeout=30)
    worker = kit.job_worker(kit.staging(job))
    assert worker is not None
    return job, user, env, worker


async def _assert_cancelled(kit, watch, job, env, pgid: int) -> None:
    await wait_until(lambda: kit.handled(env.id), timeout=10, what="the cancel to be handled")
    assert not kit.group_alive(pgid), "the worker's process group survived the cancel"
    assert not kit.staging(job).exists()
    assert await kit.outbox_types(job) == ["DownloadStarted"]
    await watch.poll(300)
    assert not watch.of(job, "MediaDownloaded", "DownloadFailed")


async def test_cancel_stops_a_running_download(kit, media_server):
    async with kit.rig(warm_spare=True) as (sub, watch):
        job, user, env, pgid = await _start(kit, sub, watch, media_server.url(SLOW))
        spare = set(kit.worker_processes()) - {pgid}
        assert any(p.suffix == ".part" for p in kit.staging(job).iterdir())
        began = time.monotonic()
        await sub.send(JobCancelled(), job_id=job, user_id=user)
        await _assert_cancelled(kit, watch, job, env, pgid)
        assert time.monotonic() - began < 5
        assert spare and spare <= set(kit.worker_processes()), "the spare was hit too"


async def test_cancel_reaches_a_download_while_every_slot_is_busy(kit, media_server):
    """With one slot, the consumer reads nothing from `jobs` while the download runs;
    the cancellation still gets through."""
    kit.settings = kit.settings.model_copy(update={"download_concurrency": 1})
    async with kit.rig() as (sub, watch):
        job, user, env, pgid = await _start(kit, sub, watch, media_server.url(SLOW + "&one"))
        await sub.send(JobCancelled(), job_id=job, user_id=user)
        await _assert_cancelled(kit, watch, job, env, pgid)


async def test_job_cancelled_before_it_starts_is_never_fetched(kit, media_server):
    url = media_server.url("files/h264_aac_mp4.mp4?never")
    async with kit.rig() as (sub, _watch):
        job, user = uuid.uuid4(), uuid.uuid4()
        cancel = await sub.send(JobCancelled(), job_id=job, user_id=user)
        await wait_until(lambda: kit.handled(cancel.id), timeout=10)
        env = await sub.send(UrlSubmitted(url=url), job_id=job, user_id=user)
        await wait_until(lambda: kit.handled(env.id), timeout=10)
    assert media_server.hits("/files/h264_aac_mp4.mp4?never") == 0
    assert await kit.outbox_types(job) == []


async def test_worker_killed_by_the_os_fails_the_job(kit, media_server):
    async with kit.rig() as (sub, watch):
        job, _, _, pid = await _start(kit, sub, watch, media_server.url(SLOW + "&oom"))
        os.kill(pid, signal.SIGKILL)  # the OOM killer's way: the worker alone
        failed = await watch.wait_for(job, kit.DONE, timeout=30)
    assert failed.type == "DownloadFailed"
    assert "stopped unexpectedly" in failed.payload.reason and "signal 9" in failed.payload.reason
    assert not kit.staging(job).exists()
    assert not kit.group_alive(pid)
