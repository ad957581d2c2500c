"""The GC sweep: orphans removed, missing files flagged (items kept), debris cleared."""
from __future__ import annotations

import os
import time
import uuid

from mf_contracts.storage import staging_dir
from mf_library.app import SPEC as LIBRARY
from mf_library.gc import gc_sweep
from mf_testkit.bus_rig import wait_until
from mf_testkit.pipeline import pipeline_settings, running

DAY = 24 * 3600


def age(path, seconds: float) -> None:
    """Pretend `path` was last written `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


async def test_gc_removes_orphans_and_flags_rows_whose_file_is_gone(rig):
    user = uuid.uuid4()
    kept = (await rig.added(await rig.add(user=user))).payload
    lost = (await rig.added(await rig.add(user=user, extra=b"other"))).payload
    objects = rig.settings.media_root / "objects"
    orphan_sha = rig.sha(extra=b"orphan")
    orphan = objects / orphan_sha[:2] / orphan_sha[2:4] / f"{orphan_sha}.mp4"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(rig.content(extra=b"orphan"))  # as a crash between commit and unlink leaves
    stranger = objects / "README.txt"
    stranger.write_text("not ours to judge")
    lost_path = objects / lost.sha256[:2] / lost.sha256[2:4] / f"{lost.sha256}.mp4"
    lost_path.unlink()  # deleted by hand

    report = await gc_sweep(rig.rt)
    assert (report.orphans_removed, report.missing_marked) == (1, 1)
    assert not orphan.exists() and stranger.exists()
    assert (await rig.media_row(lost.sha256))["missing_since"] is not None
    assert (await rig.media_row(kept.sha256))["missing_since"] is None
    assert await rig.count("SELECT count(*) FROM library_items") == 2  # items are kept
    params = {"user_id": str(user)}
    r = await rig.http.get(f"/internal/items/{lost.item_id}/file", params=params)
    assert r.status_code == 410 and "missing" in r.json()["detail"]
    r = await rig.http.get(f"/internal/items/{lost.item_id}", params=params)
    assert r.json()["missing"] is True
    assert await rig.invariants() == []
    assert (await gc_sweep(rig.rt)).missing_marked == 0  # flagged once

    lost_path.write_bytes(rig.content(extra=b"other"))  # restored from a backup
    assert (await gc_sweep(rig.rt)).missing_cleared == 1
    r = await rig.http.get(f"/internal/items/{lost.item_id}/file", params=params)
    assert r.status_code == 200 and r.json()["path"] == str(lost_path)


async def test_an_add_puts_back_a_file_that_went_missing(rig):
    user = uuid.uuid4()
    first = (await rig.added(await rig.add(user=user))).payload
    [path] = rig.object_files()
    path.unlink()
    assert (await gc_sweep(rig.rt)).missing_marked == 1
    await rig.added(await rig.add(user=user))  # the same content again: it restores the file
    assert path.exists() and (await rig.media_row(first.sha256))["missing_since"] is None
    assert (await rig.media_row(first.sha256))["ref_count"] == 2
    assert await rig.invariants(verify_hashes=True) == []


async def test_gc_clears_debris_and_unreferenced_thumbnails(rig):
    user = uuid.uuid4()
    with_thumb = (await rig.added(await rig.add(user=user, thumb=True))).payload
    dropped = (await rig.added(await rig.add(user=user, thumb=True, extra=b"x",
                                             job=uuid.uuid4()))).payload
    thumbs = sorted(p for p in (rig.settings.media_root / "thumbs").rglob("*") if p.is_file())
    assert len(thumbs) == 1  # the same image for both items, stored once
    # An unreferenced thumbnail (its last item's delete crashed before the unlink).
    stray = thumbs[0].parent.parent / "ab" / ("ab" + "0" * 62 + ".jpg")
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(thumbs[0].read_bytes())
    # Staging: a job dead for a day, and one still being written to.
    dead, live = staging_dir(rig.settings.media_root, uuid.uuid4()), \
        staging_dir(rig.settings.media_root, uuid.uuid4())
    (dead / "part.mp4").write_bytes(b"x")
    (live / "part.mp4").write_bytes(b"x")
    age(dead / "part.mp4", DAY + 60)
    age(dead, DAY + 60)
    age(live, DAY + 60)  # the folder is old but its file was written just now
    # Temporary names in objects/: one from a crash an hour ago, one in progress.
    folder = rig.object_files()[0].parent
    old_tmp, new_tmp = folder / ".tmp-crashed", folder / ".tmp-copying"
    old_tmp.write_bytes(b"x")
    new_tmp.write_bytes(b"x")
    age(old_tmp, 2 * 3600)

    report = await gc_sweep(rig.rt)
    assert (report.thumbs_removed, report.staging_removed, report.temp_removed) == (1, 1, 1)
    assert not stray.exists() and thumbs[0].exists()
    assert not dead.exists() and live.exists()
    assert not old_tmp.exists() and new_tmp.exists()
    # Deleting the items: the shared thumbnail goes with the last one that used it.
    assert await rig.delete(with_thumb.item_id, user) == 204
    assert thumbs[0].exists()
    assert await rig.delete(dropped.item_id, user) == 204
    assert not thumbs[0].exists()
    assert await rig.invariants() == []


async def test_gc_runs_when_the_service_starts(settings):
    s = pipeline_settings(settings)
    orphan = s.media_root / "objects" / "ab" / "cd" / ("abcd" + "0" * 60 + ".mp4")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a crash")
    async with running(s, [LIBRARY]):
        await wait_until(lambda: _gone(orphan), timeout=10, what="the start-up sweep")


async def _gone(path) -> bool:
    return not path.exists()
