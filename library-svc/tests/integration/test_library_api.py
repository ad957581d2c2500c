"""The internal API: listing (pages, search, sort), items, files, users kept apart."""
from __future__ import annotations

import uuid
from pathlib import Path

import httpx

TITLES = ["Alpha one", "beta TWO", "Gamma", "alphabet soup", "Delta 50% off"]
DURATIONS = [30.0, 10.0, 50.0, 20.0, 40.0]


async def _fill(rig, probe, user: uuid.UUID) -> list[str]:
    """Five items, added one after the other (so newest-first is the reverse)."""
    base = probe(rig.media["h264_aac_mp4_faststart"])
    ids = []
    for n, (title, duration) in enumerate(zip(TITLES, DURATIONS)):
        # As if the transcoder had measured this duration for this content.
        job = await rig.add(user=user, title=title, extra=bytes([n]), thumb=n == 0,
                            probe=base.model_copy(update={"duration": duration}))
        ids.append((await rig.added(job)).payload.item_id)
    return ids


async def _titles(rig, user: uuid.UUID, **params) -> tuple[list[str], int]:
    r = await rig.http.get("/internal/items", params={"user_id": str(user), **params})
    assert r.status_code == 200, r.text
    body = r.json()
    return [i["title"] for i in body["items"]], body["total"]


async def test_listing_pages_searches_and_sorts(rig, probe):
    user = uuid.uuid4()
    await _fill(rig, probe, user)
    newest = list(reversed(TITLES))
    assert await _titles(rig, user) == (newest, 5)
    pages = [await _titles(rig, user, limit=2, offset=o) for o in (0, 2, 4)]
    assert [t for page, _ in pages for t in page] == newest and {n for _, n in pages} == {5}
    assert await _titles(rig, user, offset=10) == ([], 5)
    assert await _titles(rig, user, sort="oldest") == (TITLES, 5)
    assert (await _titles(rig, user, sort="title"))[0] == sorted(TITLES, key=str.lower)
    by_duration = [t for _, t in sorted(zip(DURATIONS, TITLES))]
    assert (await _titles(rig, user, sort="duration"))[0] == by_duration
    assert await _titles(rig, user, q="ALPHA", sort="oldest") == (["Alpha one", "alphabet soup"], 2)
    assert await _titles(rig, user, q="two") == (["beta TWO"], 1)
    assert await _titles(rig, user, q="50%") == (["Delta 50% off"], 1)  # % is literal
    assert await _titles(rig, user, q="a_p") == ([], 0)  # _ is literal too
    assert await _titles(rig, user, limit=1000) == (newest, 5)  # capped at 200, not refused
    base = {"user_id": str(user)}
    for bad in ({"limit": 0}, {"offset": -1}, {"sort": "random"}, {"user_id": "nobody"}):
        r = await rig.http.get("/internal/items", params={**base, **bad})
        assert r.status_code == 422, bad


async def test_an_item_carries_its_file_and_source(rig, probe):
    user = uuid.uuid4()
    first_id = (await _fill(rig, probe, user))[0]
    params = {"user_id": str(user)}
    item = (await rig.http.get(f"/internal/items/{first_id}", params=params)).json()
    assert item["title"] == "Alpha one" and item["duration"] == 30.0
    assert item["has_thumbnail"] is True and item["uploader"] == "tester"
    assert item["source_url"].startswith("http://127.0.0.1/files/") and item["extractor"] == "generic"
    assert (item["container"], item["video_codec"], item["audio_codec"]) == ("mp4", "h264", "aac")
    assert (item["width"], item["height"]) == (320, 240)
    assert item["content_type"] == "video/mp4" and item["missing"] is False
    f = (await rig.http.get(f"/internal/items/{first_id}/file", params=params)).json()
    assert f["sha256"] == item["sha256"] and f["size"] == item["size"]
    assert Path(f["path"]).stat().st_size == f["size"] and f["content_type"] == "video/mp4"
    assert Path(f["thumbnail_path"]).read_bytes() == rig.media["thumb_jpg"].read_bytes()
    stats = (await rig.http.get("/internal/stats")).json()
    assert (stats["files"], stats["items"], stats["missing"]) == (5, 5, 0)
    assert stats["bytes"] == sum(p.stat().st_size for p in rig.object_files())


async def test_audio_is_stored_as_m4a(rig):
    user = uuid.uuid4()
    added = (await rig.added(await rig.add(user=user, kind="audio_m4a"))).payload
    f = (await rig.http.get(f"/internal/items/{added.item_id}/file",
                            params={"user_id": str(user)})).json()
    assert f["path"].endswith(f"{added.sha256}.m4a") and f["content_type"] == "audio/mp4"
    item = (await rig.http.get(f"/internal/items/{added.item_id}",
                               params={"user_id": str(user)})).json()
    assert item["video_codec"] is None and item["audio_codec"] == "aac"


async def test_a_user_never_sees_or_deletes_another_users_items(rig, probe):
    alice, bob = uuid.uuid4(), uuid.uuid4()
    ids = await _fill(rig, probe, alice)
    assert await _titles(rig, bob) == ([], 0)
    assert await _titles(rig, bob, q="alpha") == ([], 0)
    for path in (f"/internal/items/{ids[0]}", f"/internal/items/{ids[0]}/file"):
        r = await rig.http.get(path, params={"user_id": str(bob)})
        assert r.status_code == 404 and r.json() == {"detail": "No such item in your library."}
    assert await rig.delete(ids[0], bob) == 404
    assert await rig.delete(str(uuid.uuid4()), alice) == 404
    assert (await _titles(rig, alice))[1] == 5
    assert await rig.count("SELECT sum(ref_count) FROM media_files") == 5


async def test_the_internal_api_wants_the_service_token(rig):
    url = f"{rig.settings.library_url}/internal/items"
    params = {"user_id": str(uuid.uuid4())}
    async with httpx.AsyncClient() as plain:
        assert (await plain.get(url, params=params)).status_code == 401
        r = await plain.get(url, params=params, headers={"authorization": "Bearer wrong"})
        assert r.status_code == 401
        r = await plain.delete(f"{url}/{uuid.uuid4()}", params=params)
        assert r.status_code == 401
        health = await plain.get(f"{rig.settings.library_url}/healthz")  # open for probes
        assert health.status_code == 200 and health.json()["library"]["files"] == 0
