"""The library through the gateway: privacy, Range streaming, seeking in Chromium, delete."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest_asyncio
from mf_contracts.events import MediaInfo, MediaTranscoded, Probe
from mf_contracts.storage import staging_dir
from mf_testkit.pipeline import submitter, watching
from mf_testkit.stack import full_stack

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]


@pytest_asyncio.fixture
async def lib_stack(settings):
    async with full_stack(settings, only=("gateway", "library")) as stack:
        yield stack


async def store_item(stack, token: str, source: Path, *, title: str = "Test clip") -> dict:
    """Put a file through the library as the transcoder would hand it over."""
    async with stack.client(token) as c:
        user = uuid.UUID((await c.get("/api/auth/me")).json()["id"])
    job = uuid.uuid4()
    staged = staging_dir(stack.settings.media_root, job) / source.name
    shutil.copyfile(source, staged)
    async with submitter(stack.settings) as sub, watching(stack.settings) as watch:
        await sub.send(MediaTranscoded(path=str(staged), action="keep", info=MediaInfo(
            title=title, source_url="https://example.com/" + source.name, duration=3.0),
            probe=Probe(container="mp4", video_codec="h264", audio_codec="aac", duration=3.0)),
            job_id=job, user_id=user)
        done = await watch.wait_for(job, timeout=30)
    assert done.type == "LibraryItemAdded", done.payload
    async with stack.client(token) as c:
        return (await c.get(f"/api/library/{done.payload.item_id}")).json()


async def test_range_requests_return_exactly_the_bytes(lib_stack, media_files):
    token = await lib_stack.admin_token()
    source = media_files["h264_aac_mp4_faststart"]
    item = await store_item(lib_stack, token, source)
    data = source.read_bytes()
    size = len(data)
    async with lib_stack.client() as c:  # the signed link needs no token
        mid = size // 2
        r = await c.get(item["stream_url"], headers={"range": f"bytes={mid}-{mid + 9999}"})
        assert r.status_code == 206
        assert r.headers["content-range"] == f"bytes {mid}-{mid + 9999}/{size}"
        assert r.content == data[mid:mid + 10000]
        assert r.headers["content-type"] == "video/mp4" and r.headers["accept-ranges"] == "bytes"
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        tail = await c.get(item["stream_url"], headers={"range": "bytes=-500"})
        assert tail.status_code == 206 and tail.content == data[-500:]
        head = await c.head(item["stream_url"])
        assert head.status_code == 200 and int(head.headers["content-length"]) == size
        assert head.headers["etag"] == etag and head.headers["last-modified"] == modified
        beyond = await c.get(item["stream_url"], headers={"range": f"bytes={size + 10}-"})
        assert beyond.status_code == 416
        stale = await c.get(item["stream_url"], headers={"range": "bytes=0-9", "if-range": '"old"'})
        assert stale.status_code == 200 and len(stale.content) == size  # changed: whole file
        dl = await c.get(item["download_url"])
        assert "attachment" in dl.headers["content-disposition"] and dl.content == data
        forged = item["stream_url"].replace("sig=", "sig=A")
        assert (await c.get(forged)).status_code == 401


async def test_user_b_can_never_reach_user_a_items(lib_stack, media_files):
    admin = await lib_stack.admin_token()
    item = await store_item(lib_stack, admin, media_files["h264_aac_mp4_faststart"])
    async with lib_stack.client(admin) as c:
        assert (await c.post("/api/users", json={"username": "bob", "password": "bob password"})).status_code == 201
        bob = (await c.post("/api/auth/login", json={"username": "bob", "password": "bob password"})).json()["access_token"]
    async with lib_stack.client(bob) as c:
        assert (await c.get("/api/library")).json() == {"items": [], "total": 0}
        for method, path in (("GET", f"/api/library/{item['id']}"), ("DELETE", f"/api/library/{item['id']}"),
                             ("GET", f"/api/library/{item['id']}/stream")):
            r = await c.request(method, path)
            assert r.status_code == 404, (method, path, r.status_code)
    async with lib_stack.client(admin) as c:
        assert (await c.get(f"/api/library/{item['id']}")).status_code == 200  # untouched


async def test_search_and_delete_removes_the_file(lib_stack, media_files):
    token = await lib_stack.admin_token()
    a = await store_item(lib_stack, token, media_files["h264_aac_mp4_faststart"], title="Holiday in Rome")
    await store_item(lib_stack, token, media_files["h264_aac_mp4"], title="Cat video")
    objects = lib_stack.settings.media_root / "objects"
    async with lib_stack.client(token) as c:
        found = (await c.get("/api/library", params={"q": "rome"})).json()
        assert [i["title"] for i in found["items"]] == ["Holiday in Rome"] and found["total"] == 1
        path = next(objects.rglob(f"{a['sha256']}.*"))
        assert (await c.delete(f"/api/library/{a['id']}")).status_code == 204
        assert not path.exists()
        assert (await c.get(f"/api/library/{a['id']}")).status_code == 404
        assert (await c.get("/api/library")).json()["total"] == 1


async def test_chromium_seeks_and_plays_from_there(lib_stack, media_files):
    from playwright.async_api import async_playwright

    token = await lib_stack.admin_token()
    item = await store_item(lib_stack, token, media_files["h264_aac_mp4_faststart"])
    page_html = (f"<video id=v src='{lib_stack.url}{item['stream_url']}' muted preload=auto></video>")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(f"{lib_stack.url}/api/setup")  # same origin as the video
        await page.set_content(page_html)
        await page.wait_for_function("document.getElementById('v').readyState >= 1", timeout=15000)
        duration = await page.evaluate("document.getElementById('v').duration")
        assert 2.5 < duration < 3.5
        await page.evaluate("v => { v.currentTime = 2.0; return v.play(); }",
                            await page.query_selector("#v"))
        await page.wait_for_function("document.getElementById('v').currentTime > 2.2", timeout=15000)
        t = await page.evaluate("document.getElementById('v').currentTime")
        assert t > 2.2  # played on from the seek point, not from the start
        await browser.close()
