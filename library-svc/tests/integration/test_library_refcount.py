"""One file per content, counted references, the last reference takes the file with it."""
from __future__ import annotations

import hashlib
import uuid

from mf_contracts.bus import Keys
from mf_contracts.envelope import encode, new_envelope
from mf_contracts.events import MediaTranscoded


async def test_same_content_is_one_file_until_its_last_item_goes(rig):
    alice, bob = uuid.uuid4(), uuid.uuid4()
    jobs = [(await rig.add(user=alice), alice), (await rig.add(user=alice), alice),
            (await rig.add(user=bob), bob)]
    added = [(await rig.added(job)).payload for job, _ in jobs]
    sha = rig.sha()
    assert {a.sha256 for a in added} == {sha}
    assert len({a.item_id for a in added}) == 3
    files = rig.object_files()
    objects = rig.settings.media_root / "objects"
    assert files == [objects / sha[:2] / sha[2:4] / f"{sha}.mp4"]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == sha
    row = await rig.media_row(sha)
    assert row["ref_count"] == 3 and row["size"] == len(rig.content()) and row["ext"] == "mp4"
    assert row["video_codec"] == "h264" and row["audio_codec"] == "aac"
    await rig.staging_cleaned(*(job for job, _ in jobs))  # each went after its commit
    assert await rig.invariants(verify_hashes=True) == []

    for n, ((job, user), item) in enumerate(zip(jobs, added)):
        assert await rig.delete(item.item_id, user) == 204
        left = len(jobs) - n - 1
        assert files[0].exists() == (left > 0)
        row = await rig.media_row(sha)
        assert (row["ref_count"] if row else 0) == left
        assert await rig.invariants() == []
        deleted = await rig.watch.wait_for(job, {"LibraryItemDeleted"})
        assert deleted.payload.item_id == item.item_id and deleted.user_id == user
    last_job = jobs[-1][0]
    gone = await rig.watch.wait_for(last_job, {"MediaFileDeleted"})
    assert gone.payload.sha256 == sha
    assert [e for job, _ in jobs[:-1] for e in rig.watch.of(job, "MediaFileDeleted")] == []
    assert await rig.delete(added[0].item_id, alice) == 404  # already gone


async def test_a_redelivered_or_repeated_event_makes_one_item(rig, redis, probe):
    user, job = uuid.uuid4(), uuid.uuid4()
    staged = rig.stage(job=job)
    payload = MediaTranscoded(path=str(staged), action="keep", probe=probe(staged),
                              info=rig.info(job))
    env = new_envelope(payload, correlation_id=job, user_id=user)
    # The same entry twice on the stream, as a relay republishing after a crash does.
    key = Keys(rig.settings.redis_prefix).stream(payload.stream)
    for _ in range(2):
        await redis.xadd(key, {"e": encode(env)})
    first = await rig.added(job)
    # A new event for the same job (the transcoder ran it again): announced, not stored.
    await rig.sub.send(payload, job_id=job, user_id=user)
    again = await rig.seen("LibraryItemAdded", "StoreFailed", count=2, job=job)
    assert [e.type for e in again] == ["LibraryItemAdded"] * 2
    assert again[1].payload.item_id == first.payload.item_id
    assert await rig.count("SELECT count(*) FROM library_items WHERE job_id = $1", job) == 1
    assert (await rig.media_row(first.payload.sha256))["ref_count"] == 1
    assert await rig.invariants() == []


async def test_a_known_source_links_to_the_stored_file(rig):
    alice, bob = uuid.uuid4(), uuid.uuid4()
    first = (await rig.added(await rig.add(user=alice))).payload
    [path] = rig.object_files()
    inode = path.stat().st_ino
    job = await rig.link(user=bob, sha256=first.sha256, title="the same clip, found again")
    linked = (await rig.added(job)).payload
    assert linked.sha256 == first.sha256 and linked.item_id != first.item_id
    assert linked.title == "the same clip, found again" and linked.size == first.size
    assert rig.object_files() == [path] and path.stat().st_ino == inode  # nothing new stored
    assert (await rig.media_row(first.sha256))["ref_count"] == 2
    r = await rig.http.get(f"/internal/items/{linked.item_id}", params={"user_id": str(bob)})
    assert r.status_code == 200 and r.json()["job_id"] == str(job)
    assert await rig.invariants() == []


async def test_linking_to_content_deleted_meanwhile_fails_with_a_reason(rig):
    user = uuid.uuid4()
    first = (await rig.added(await rig.add(user=user))).payload
    assert await rig.delete(first.item_id, user) == 204
    job = await rig.link(user=user, sha256=first.sha256)
    failed = await rig.done(job)
    assert failed.type == "StoreFailed"
    assert "submit the link again" in failed.payload.reason
    assert rig.object_files() == [] and await rig.media_row(first.sha256) is None
    assert await rig.count("SELECT count(*) FROM library_items") == 0
