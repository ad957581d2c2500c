"""Deletes of the last reference racing adds of the same content, with the GC sweeping.

Adds arrive as MediaTranscoded events (the service's consumer), deletes through the
internal API, GC sweeps from a second runtime (like `mf gc`), all at once. Afterwards:
ref_count == number of items for every row, no row without its file, no file without
a row, and every file's bytes still hash to its name.
"""
from __future__ import annotations

import asyncio
import hashlib
import random
import uuid
from typing import Self

from mf_library.gc import gc_sweep


class Sweeper:
    """gc_sweep in a loop until stopped; counts sweeps and anything it removed."""

    def __init__(self, rt) -> None:
        self.rt, self.sweeps, self.removed = rt, 0, 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            report = await gc_sweep(self.rt)
            self.sweeps += not report.skipped
            self.removed += report.orphans_removed + report.missing_marked
            await asyncio.sleep(0)

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc) -> None:
        self._stop.set()
        await self._task


async def test_racing_deletes_and_adds_keep_files_rows_and_counts_consistent(rig):
    user = uuid.uuid4()
    rnd = random.Random(7)
    sha = rig.sha()

    # Burst: 50 items, then their 50 deletes and 50 new adds of the same content at once.
    jobs = [await rig.add(user=user) for _ in range(50)]
    items = [(await rig.added(j)).payload.item_id for j in jobs]

    async with Sweeper(rig.rt) as sweeper:
        new_jobs, statuses = await asyncio.gather(
            asyncio.gather(*(rig.add(user=user) for _ in range(50))),
            asyncio.gather(*(delete_after(rig, item_id=i, user=user, delay=rnd.uniform(0, 0.2))
                             for i in items)))
        outcomes = [await rig.done(j) for j in new_jobs]
    assert statuses == [204] * 50
    assert [o.type for o in outcomes] == ["LibraryItemAdded"] * 50
    assert await rig.invariants(verify_hashes=True) == []
    assert (await rig.media_row(sha))["ref_count"] == 50
    assert sweeper.sweeps > 0 and sweeper.removed == 0

    # Chain: 50 rounds in which the only item is deleted while an add of the same
    # content arrives; with the jitter both orders happen (kept file / fresh file).
    for item in [o.payload.item_id for o in outcomes[:-1]]:
        assert await rig.delete(item, user) == 204
    freed_before = await events_of(rig, "MediaFileDeleted", deletes=99)
    current = outcomes[-1].payload.item_id
    async with Sweeper(rig.rt) as sweeper:
        for _ in range(50):
            job, status = await asyncio.gather(rig.add(user=user),
                                               delete_after(rig, item_id=current, user=user,
                                                            delay=rnd.uniform(0, 0.06)))
            assert status == 204
            current = (await rig.added(job)).payload.item_id
    assert await rig.invariants(verify_hashes=True) == []
    row = await rig.media_row(sha)
    assert row is not None and row["ref_count"] == 1
    assert len(rig.object_files()) == 1 and sweeper.removed == 0
    # Both orders happened: rounds where the delete freed the file before the add stored
    # it again, and rounds where the add counted a reference first.
    freed = await events_of(rig, "MediaFileDeleted", deletes=149) - freed_before
    assert 0 < freed < 50, freed
    r = await rig.http.get(f"/internal/items/{current}/file", params={"user_id": str(user)})
    assert r.status_code == 200
    assert rig.sha() == _hash_file(r.json()["path"])


async def delete_after(rig, *, item_id: str, user: uuid.UUID, delay: float) -> int:
    await asyncio.sleep(delay)
    return await rig.delete(item_id, user)


async def events_of(rig, kind: str, *, deletes: int) -> int:
    """How many `kind` events, once all `deletes` LibraryItemDeleted have been seen."""
    await rig.seen("LibraryItemDeleted", count=deletes)
    return sum(e.type == kind for e in rig.watch.events)


def _hash_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


async def test_gc_never_removes_a_file_being_added(rig):
    user = uuid.uuid4()
    async with Sweeper(rig.rt) as sweeper:
        # Distinct content each time: every add publishes a new file the sweeps can see
        # before its row commits.
        jobs = await asyncio.gather(*(rig.add(user=user, extra=uuid.uuid4().bytes)
                                      for _ in range(30)))
        outcomes = [await rig.done(j) for j in jobs]
    assert [o.type for o in outcomes] == ["LibraryItemAdded"] * 30
    assert sweeper.sweeps > 1 and sweeper.removed == 0
    assert len(rig.object_files()) == 30
    assert await rig.invariants(verify_hashes=True) == []
