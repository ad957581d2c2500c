"""The media volume fills up or turns read-only under a running stack, then recovers.

The whole media root (objects, thumbs, staging) is a small tmpfs mounted for this
module, as the NAS mount is in production: the downloader, transcoder and library all
meet the same full or read-only filesystem. Jobs must fail with a reason a person
understands, staging must be cleaned, files already stored must keep their bytes, and
the same links must download once space (or write access) is back.
"""
from __future__ import annotations

import os
import subprocess
from contextlib import suppress
from pathlib import Path

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope="session")
SIZE_MB = 8


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def volume(rig):
    """A stack whose media root is a SIZE_MB tmpfs; yields (stack, media root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs as the media volume needs root")
    settings = rig.settings(download_concurrency=2, transcode_concurrency=1)
    root = settings.media_root
    root.mkdir(parents=True)
    done = _mount("-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(root))
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        async with rig.stack(settings) as stack:
            stack.people = await stack.users(1)
            yield stack, root
    finally:
        if subprocess.run(["umount", str(root)], check=False).returncode:
            subprocess.run(["umount", "-l", str(root)], check=False)


def fill(root: Path, *, leave_kb: int) -> Path:
    """Leave ~leave_kb free, by growing or shrinking a file outside objects/ and staging/."""
    filler = root / "filler.bin"
    filler.touch()
    stat = os.statvfs(root)
    free = stat.f_bavail * stat.f_frsize
    size = filler.stat().st_size + free - leave_kb * 1024
    with open(filler, "r+b") as fh:
        fh.truncate(max(0, size))
        fh.seek(0)
        while fh.tell() < size:  # tmpfs counts pages written, not the length
            fh.write(b"\1" * min(1 << 20, size - fh.tell()))
    return filler


async def run_jobs(stack, urls: list[str], *, timeout: float = 90) -> list[dict]:
    user = stack.people[0]
    ids = []
    for url in urls:
        r = await stack.submit(user, url)
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    jobs = await stack.wait_jobs({j: user for j in ids}, timeout=timeout)
    return [jobs[j] for j in ids]


async def stored(rig, stack) -> dict[str, str]:
    return rig.audit.hashes(rig.audit.object_files(stack.settings))


async def test_a_full_volume_fails_jobs_clearly_and_work_resumes_when_space_returns(
        volume, rig, fault_server, figures):
    stack, root = volume
    first = await run_jobs(stack, [fault_server.url("/files/v/clip00.mp4?disk=1"),
                                   fault_server.url("/files/v/clip01.mp4?disk=1")])
    assert [j["status"] for j in first] == ["done", "done"], first
    kept = await stored(rig, stack)
    filler = fill(root, leave_kb=64)
    urls = [fault_server.url("/files/v/clip02.mp4?disk=full"),
            fault_server.url("/files/vp9_opus_webm.webm?disk=full")]
    failed = await run_jobs(stack, urls)
    for job in failed:
        assert job["status"] == "failed", job
        assert "full" in job["error"] and "Traceback" not in job["error"], job["error"]
    assert rig.audit.staging_files(stack.settings) == []
    # Room for the 130 KB download, not for the transcoder's output: ffmpeg hits ENOSPC.
    fill(root, leave_kb=200)
    [mid] = await run_jobs(stack, [fault_server.url("/files/vp9_opus_webm.webm?disk=mid")])
    assert mid["status"] == "failed" and "full" in mid["error"], mid
    failed.append(mid)
    assert rig.audit.staging_files(stack.settings) == []
    assert await stored(rig, stack) == kept  # nothing stored was touched
    assert await rig.audit.invariants(stack.settings) == []
    # Space comes back (the NAS share grows): the same links now download.
    assert _mount("-o", f"remount,size={SIZE_MB * 4}m", str(root)).returncode == 0
    again = await run_jobs(stack, urls)
    assert [j["status"] for j in again] == ["done", "done"], again
    filler.unlink()
    report = await rig.audit.check(stack.settings, await stack.all_jobs(stack.people))
    assert report.problems == [], report.problems
    figures(f"disk full: {len(failed)} jobs failed: {sorted({j['error'][:60] for j in failed})}")


async def test_a_read_only_volume_fails_jobs_clearly_and_work_resumes_when_writable(
        volume, rig, fault_server, figures):
    stack, root = volume
    kept = await stored(rig, stack)
    assert kept, "the previous test stored files"
    assert _mount("-o", "remount,ro", str(root)).returncode == 0
    try:
        urls = [fault_server.url("/files/v/clip03.mp4?disk=ro"),
                fault_server.url("/page/v/clip04.mp4?disk=ro")]
        failed = await run_jobs(stack, urls)
    finally:
        with suppress(Exception):
            assert _mount("-o", "remount,rw", str(root)).returncode == 0
    for job in failed:
        assert job["status"] == "failed", job
        assert "read-only" in job["error"] and "Traceback" not in job["error"], job["error"]
    assert await stored(rig, stack) == kept
    again = await run_jobs(stack, urls)
    assert [j["status"] for j in again] == ["done", "done"], again
    report = await rig.audit.check(stack.settings, await stack.all_jobs(stack.people))
    assert report.problems == [], report.problems
    reasons = sorted({j["error"][:60] for j in failed})
    figures(f"disk read-only: {len(failed)} jobs failed: {reasons}")
