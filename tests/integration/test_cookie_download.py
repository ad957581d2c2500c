"""A page that demands a cookie downloads once the user's jar for that site is stored.

Through the real gateway (upload as the extension would, submit), the vault (encrypted
jar), and the downloader (0600 temp cookie file, removed afterwards).
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path


def cookie_files() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("mf-cookies-*"))


async def wait_job(c, job_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await c.get(f"/api/jobs/{job_id}")).json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_cookie_guarded_page_needs_the_users_jar(stack, media_server):
    before = cookie_files()
    token = await stack.admin_token()
    page = media_server.url("/cookie/page/h264_aac_mp4_faststart.mp4")
    async with stack.client(token) as c:
        first = (await c.post("/api/jobs", json={"url": page})).json()
        failed = await wait_job(c, first["id"])
        assert failed["status"] == "failed" and "403" in failed["error"], failed
        chrome_cookie = {"name": "mf_auth", "value": media_server.cookie_value, "domain": "127.0.0.1",
                         "hostOnly": True, "path": "/", "secure": False, "httpOnly": True,
                         "sameSite": "lax", "session": False, "expirationDate": time.time() + 3600,
                         "storeId": "0"}
        stored = await c.post("/api/cookies", json={"cookies": [chrome_cookie]})
        assert stored.status_code == 201, stored.text
        sites = (await c.get("/api/cookies")).json()
        assert [(s["site"], s["count"]) for s in sites] == [("127.0.0.1", 1)]
        assert media_server.cookie_value not in str(sites)
        second = (await c.post("/api/jobs", json={"url": page})).json()
        done = await wait_job(c, second["id"])
        assert done["status"] == "done", done
    assert cookie_files() == before  # the temp cookie file is gone
    guarded = [r for r in media_server.requests if r[1].startswith("/cookie/")]
    assert any(f"mf_auth={media_server.cookie_value}" in r[2].get("cookie", "") for r in guarded)
