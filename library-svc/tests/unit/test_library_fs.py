"""The media-volume adapter on real files (and, as root, a real second filesystem)."""
from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from pathlib import Path, PurePosixPath

import pytest
from mf_library.adapters.fs import CHUNK, MediaFs, hash_file


def test_hash_streams_across_chunk_boundaries(tmp_path):
    for size in (0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17):
        data = os.urandom(size)
        path = tmp_path / f"f{size}"
        path.write_bytes(data)
        hashed = hash_file(path)
        assert (hashed.sha256, hashed.size) == (hashlib.sha256(data).hexdigest(), size)


def test_place_publishes_atomically_and_keeps_the_staged_name_until_cleanup(tmp_path):
    fs = MediaFs(root=tmp_path)
    src = tmp_path / "staging" / "job" / "out.mp4"
    src.parent.mkdir(parents=True)
    src.write_bytes(b"new content")
    dst = fs.object_path(sha256="ab" * 32, ext="mp4")
    fs.place(src=src, dst=dst)
    assert dst.read_bytes() == b"new content"
    assert src.exists() and src.stat().st_ino == dst.stat().st_ino  # a link, never a copy
    assert [p.name for p in dst.parent.iterdir()] == [dst.name]  # no temporary name left
    stale = tmp_path / "staging" / "job" / "again.mp4"
    stale.write_bytes(b"replacement")
    fs.place(src=stale, dst=dst)  # a leftover at the name is replaced, not appended to
    assert dst.read_bytes() == b"replacement"
    assert fs.remove(dst) and not dst.exists() and not fs.remove(dst)


def test_walks_report_relative_names_and_newest_staging_writes(tmp_path):
    fs = MediaFs(root=tmp_path)
    obj = fs.object_path(sha256="cd" * 32, ext="m4a")
    obj.parent.mkdir(parents=True)
    obj.write_bytes(b"x")
    assert [f.rel for f in fs.walk_objects()] == [PurePosixPath("cd", "cd", obj.name)]
    job = tmp_path / "staging" / "job"
    (job / "deep").mkdir(parents=True)
    (job / "deep" / "part").write_bytes(b"x")
    os.utime(job, (1000, 1000))
    os.utime(job / "deep", (1000, 1000))
    [(folder, newest)] = fs.staging_folders()
    assert folder == job and newest > 1000  # the file inside was written just now


def test_across_filesystems_the_file_is_copied_then_renamed(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a second filesystem")
    fs = MediaFs(root=tmp_path)
    other = tmp_path / "objects"
    other.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(other)],
                      check=False, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        src = tmp_path / "staged.mp4"
        data = os.urandom(2 * CHUNK + 5)
        src.write_bytes(data)
        dst = fs.object_path(sha256=hashlib.sha256(data).hexdigest(), ext="mp4")
        fs.place(src=src, dst=dst)
        assert dst.read_bytes() == data and src.exists()
        assert [p.name for p in dst.parent.iterdir()] == [dst.name]
    finally:
        subprocess.run(["umount", str(other)], check=True)


def test_a_failed_copy_leaves_no_partial_file(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tiny filesystem")
    fs = MediaFs(root=tmp_path)
    other = tmp_path / "objects"
    other.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(other)],
                      check=False, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        src = tmp_path / "staged.mp4"
        src.write_bytes(os.urandom(256 * 1024))
        dst = fs.object_path(sha256="ef" * 32, ext="mp4")
        with pytest.raises(OSError) as err:
            fs.place(src=src, dst=dst)
        assert err.value.errno == errno.ENOSPC
        assert not any(Path(other).rglob("*.mp4*")) and not any(Path(other).rglob(".tmp-*"))
    finally:
        subprocess.run(["umount", str(other)], check=True)
