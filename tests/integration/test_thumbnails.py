"""A page's poster image becomes the item's thumbnail, end to end: yt-dlp writes it, the
downloader hands it on, the library stores it once by its hash, the gateway serves it
(signed link and bearer token, never another user's), and the last delete removes it."""
from __future__ import annotations

import asyncio
import hashlib
import subprocess
import time
from pathlib import Path

import httpx


def poster_jpeg(tmp: Path) -> bytes:
    out = tmp / "poster.jpg"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=320x180", "-frames:v", "1", str(out)], check=True)
    return out.read_bytes()


async def wait_done(c: httpx.AsyncClient, job_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await c.get(f"/api/jobs/{job_id}")).json()
        if job["status"] in ("done", "failed", "cancelled"):
            assert job["status"] == "done", job
            return job
        await asyncio.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_a_pages_poster_is_the_items_thumbnail(stack, media_server, tmp_path):
    poster = poster_jpeg(tmp_path)
    media_server.route("/posters/p.jpg", poster, content_type="image/jpeg")
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>With a poster</title>'
            '</head><body><video controls poster="/posters/p.jpg" '
            'src="/files/h264_aac_mp4_faststart.mp4"></video></body></html>')
    media_server.route("/poster-page.html", page, content_type="text/html; charset=utf-8")
    token = await stack.admin_token()
    async with stack.client(token) as c:
        job = (await c.post("/api/jobs", json={"url": media_server.url("/poster-page.html")}))
        assert job.status_code == 202, job.text
        done = await wait_done(c, job.json()["id"])
        item = (await c.get(f"/api/library/{done['item_id']}")).json()
        assert item["title"] == "With a poster"
        assert item["thumbnail_url"], item
        signed = await c.get(item["thumbnail_url"], headers={"authorization": ""})
        assert signed.status_code == 200, signed.text
        assert signed.headers["content-type"] == "image/jpeg"
        assert signed.content == poster  # the poster's bytes, not a re-encoding
        by_token = await c.get(f"/api/library/{item['id']}/thumbnail")
        assert by_token.status_code == 200 and by_token.content == poster

    thumbs = list((stack.settings.media_root / "thumbs").rglob("*.jpg"))
    assert [p.name for p in thumbs] == [f"{hashlib.sha256(poster).hexdigest()}.jpg"]

    async with stack.client(token) as c:
        added = await c.post("/api/users", json={"username": "other", "password": "p" * 12})
        assert added.status_code == 201, added.text
    async with stack.client(await stack.admin_token("other", "p" * 12)) as other:
        assert (await other.get(f"/api/library/{item['id']}/thumbnail")).status_code == 404

    async with stack.client(token) as c:
        assert (await c.delete(f"/api/library/{item['id']}")).status_code == 204
    assert not list((stack.settings.media_root / "thumbs").rglob("*.jpg"))
