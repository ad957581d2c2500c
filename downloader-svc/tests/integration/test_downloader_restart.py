"""kill -9 of the downloader service mid-download: its worker dies with it, and the
restarted service downloads the job again from an empty folder, exactly once."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx
from mf_testkit.bus_rig import wait_until
from mf_testkit.infra import settings_env
from mf_testkit.pipeline import submitter, watching


def _spawn(settings, log_path) -> subprocess.Popen:
    """`python -m mf_downloader` exactly as deployed, reading the test's settings."""
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "mf_downloader"],
                                env=settings_env(settings), stdout=log, stderr=log)


async def _start_service(settings, log_path) -> subprocess.Popen:
    proc = _spawn(settings, log_path)
    url = f"http://127.0.0.1:{settings.downloader_port}/healthz"
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as client:
        while True:
            assert proc.poll() is None, f"the service exited: see {log_path}"
            try:
                response = await client.get(url)
                if response.status_code == 200:
                    assert response.json()["yt_dlp"]
                    return proc
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the service did not become healthy"
            await asyncio.sleep(0.1)


async def test_killed_service_downloads_the_job_exactly_once(kit, media_server, tmp_path, uniq):
    path = f"/slow/files/h264_aac_mp4_faststart.mp4?bps=100000&run={uniq}"
    url = media_server.url(path)
    log = tmp_path / "downloader.log"
    first = await _start_service(kit.settings, log)
    try:
        async with submitter(kit.settings) as sub, watching(kit.settings) as watch:
            job = await sub.submit(url)
            await watch.wait_for(job, {"DownloadProgress"}, timeout=30)
            workers = kit.worker_processes(first.pid)  # the job's and the spare
            assert kit.job_worker(kit.staging(job)) in workers
            first.kill()
            first.wait()
            # Their stdin hit EOF: the orphaned workers kill their own process groups.
            for worker in workers:
                await wait_until(lambda w=worker: kit.group_gone(w), timeout=5,
                                 what="the orphaned workers to die")
            second = await _start_service(kit.settings, log)
            try:
                done = await watch.wait_for(job, kit.DONE, timeout=60)
                assert done.type == "MediaDownloaded", done.payload
                # Acked: nothing of this job can be delivered again.
                await wait_until(kit.nothing_pending, timeout=10, what="the entry acked")
                await watch.poll(200)
            finally:
                second.terminate()
                second.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    assert [e.type for e in watch.of(job, "MediaDownloaded", "DownloadFailed")] == \
        ["MediaDownloaded"]
    assert await kit.outbox_types(job) == ["DownloadStarted", "MediaDownloaded"]
    assert media_server.hits(path) == 4  # probe + download, twice
    file = kit.staging(job) / done.payload.path.rsplit("/", 1)[-1]
    assert [p.name for p in kit.staging(job).iterdir()] == [file.name]
    assert "video" in kit.probe_streams(file) and "audio" in kit.probe_streams(file)
    assert file.stat().st_size == (media_server.root / "h264_aac_mp4_faststart.mp4").stat().st_size

