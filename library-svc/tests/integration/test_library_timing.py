"""How fast storing is: event to item for a small file, MB/s for a large one.

The times come from the events themselves (occurred_at of MediaTranscoded and of the
LibraryItemAdded it caused), so they cover consume → hash → lock → store → commit.
Bounds are loose (2 shared cores); the numbers are printed for the report (-s). The
large file was just written, so it is read from the page cache, as it usually is
right after a transcode; a cold read is bound by the disk instead.
"""
from __future__ import annotations

import os
import statistics
import time
import uuid

from mf_contracts.storage import staging_dir
from mf_library.adapters.fs import CHUNK, hash_file

LARGE_MB = 200


def _latency(rig, job: uuid.UUID) -> float:
    [sent] = rig.watch.of(job, "MediaTranscoded")
    [added] = rig.watch.of(job, "LibraryItemAdded")
    return (added.occurred_at - sent.occurred_at).total_seconds()


async def test_a_small_file_is_stored_within_a_moment(rig):
    user = uuid.uuid4()
    latencies = []
    for n in range(10):
        job = await rig.add(user=user, extra=n.to_bytes(2, "big"))
        await rig.added(job)
        latencies.append(_latency(rig, job))
    median = statistics.median(latencies)
    print(f"\nMediaTranscoded → LibraryItemAdded, {len(rig.content())} bytes: "
          f"median {median * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    assert median < 1.0


async def test_hashing_and_storing_a_large_file(rig, probe):
    user, job = uuid.uuid4(), uuid.uuid4()
    path = staging_dir(rig.settings.media_root, job) / "large.mp4"
    block = bytearray(rig.content())
    with open(path, "wb") as f:  # noqa: ASYNC230 - test setup, nothing else is running
        for n in range(LARGE_MB * CHUNK // len(block) + 1):
            block[:8] = n.to_bytes(8, "big")  # no two blocks alike
            f.write(block)
        f.flush()
        os.fsync(f.fileno())  # as the transcoder leaves it: on disk (and in the page cache)
    size = path.stat().st_size
    t0 = time.perf_counter()
    assert hash_file(path).size == size  # noqa: ASYNC - measuring the bare hash, on purpose
    bare = size / (time.perf_counter() - t0) / 1e6
    await rig.add(user=user, job=job, path=str(path), probe=probe(rig.media["h264_aac_mp4_faststart"]))
    added = (await rig.added(job)).payload
    rate = size / 1e6 / _latency(rig, job)
    print(f"\n{size / 1e6:.0f} MB: hash alone {bare:.0f} MB/s; MediaTranscoded → "
          f"LibraryItemAdded (hash + fsync + store + commit) {rate:.0f} MB/s")
    assert added.size == size and rate > 20
    [stored] = rig.object_files()
    assert stored.stem == added.sha256
    await rig.staging_cleaned(job)
