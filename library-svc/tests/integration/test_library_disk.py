"""Disk failures end the job with StoreFailed and plain words; nothing else is touched.

A tiny (or read-only) tmpfs is mounted exactly where the new content's object would
go, objects/ab/cd/, so the store really runs out of space (or hits a read-only
filesystem) while the files already stored elsewhere stay where they are. Mounting
needs root; elsewhere the folder is made read-only instead (permission denied).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import uuid
from pathlib import Path

import pytest


@contextlib.contextmanager
def failing_folder(folder: Path, *, mode: str):
    """`mode`: "full" (a 64 KiB tmpfs) or "readonly" (a read-only tmpfs)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        if mode == "full":
            pytest.skip("needs root to mount a tiny tmpfs")
        folder.chmod(0o555)
        try:
            yield "permission"
        finally:
            folder.chmod(0o755)
        return
    opts = "size=64k" if mode == "full" else "ro,size=64k"
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(folder)],
                             check=False, capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mode
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("mode, words", [("full", "full"), ("readonly", "read-only")])
async def test_a_store_that_hits_a_failing_disk_fails_the_job_cleanly(rig, mode, words):
    user = uuid.uuid4()
    kept = (await rig.added(await rig.add(user=user))).payload
    [kept_path] = rig.object_files()
    before = kept_path.read_bytes()
    extra = next(b for b in (os.urandom(8) for _ in range(1000))
                 if rig.sha(extra=b)[:2] != kept.sha256[:2])  # another objects/ab folder
    sha = rig.sha(extra=extra)
    target = rig.settings.media_root / "objects" / sha[:2] / sha[2:4]
    with failing_folder(target, mode=mode) as how:
        job = await rig.add(user=user, extra=extra)
        failed = await rig.done(job)
        assert failed.type == "StoreFailed"
        expected = "permission denied" if how == "permission" else words
        assert expected in failed.payload.reason
        assert "Traceback" not in failed.payload.reason
        await rig.staging_cleaned(job)
        assert list(target.iterdir()) == []  # no partial copy left behind
    assert kept_path.read_bytes() == before and hashlib.sha256(before).hexdigest() == kept.sha256
    assert await rig.media_row(sha) is None
    assert (await rig.media_row(kept.sha256))["ref_count"] == 1
    assert await rig.invariants(verify_hashes=True) == []
    # The disk is fine again: the same content stores normally.
    assert (await rig.added(await rig.add(user=user, extra=extra))).payload.sha256 == sha


async def test_a_path_outside_staging_is_refused(rig, tmp_path):
    user = uuid.uuid4()
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(rig.content())
    for path in (outside, rig.settings.media_root / "staging" / ".." / "objects" / "x.mp4"):
        job = await rig.add(user=user, path=str(path))
        failed = await rig.done(job)
        assert failed.type == "StoreFailed" and "not in the media staging folder" in \
            failed.payload.reason
        await rig.staging_cleaned(job)
    assert outside.exists() and rig.object_files() == []
