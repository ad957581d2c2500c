"""The cookie vault killed with kill -9 while downloads need it.

While the vault is away: a cookie upload is answered 503 with a reason, downloads that
need no cookies go on, and a download of a page that demands the user's stored cookies
does not fail for want of them: the job waits (its event stays pending) and, once the
vault is back, downloads with the cookies, exactly once.
"""
from __future__ import annotations

import asyncio
import time

import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(rig):
    async with rig.stack() as stack:
        stack.people = await stack.users(1)
        yield stack


def chrome_cookie(value: str) -> dict:
    """A cookie as the extension sends it (chrome.cookies.Cookie)."""
    return {"name": "mf_auth", "value": value, "domain": "127.0.0.1", "hostOnly": True,
            "path": "/", "secure": False, "httpOnly": True, "sameSite": "lax",
            "session": False, "expirationDate": time.time() + 3600, "storeId": "0"}


async def test_a_vault_outage_delays_cookie_downloads_and_fails_none(stack, rig, fault_server,
                                                                    figures):
    user = stack.people[0]
    jar = {"cookies": [chrome_cookie(fault_server.cookie_value)]}
    async with stack.client(user.token) as c:
        assert (await c.post("/api/cookies", json=jar)).status_code == 201

    stack.kill("vault")
    down_at = time.monotonic()
    async with stack.client(user.token) as c:
        refused = await c.post("/api/cookies", json=jar)
    assert refused.status_code == 503 and "vault" in refused.json()["detail"], refused.text
    guarded = fault_server.url("/cookie/files/v/clip09.mp4?vault=down")
    needs_jar = (await stack.submit(user, guarded)).json()["id"]
    plain = (await stack.submit(user, fault_server.url("/files/v/clip10.mp4?vault=down"))
             ).json()["id"]
    # Downloads that need no cookies do not wait for the vault.
    done = await stack.wait_job(user, plain, lambda j: j["status"] in ("done", "failed"),
                                timeout=60, what="finished")
    assert done["status"] == "done", done
    # The guarded page was tried without cookies (403) and the job did not fail for it.
    deadline = time.monotonic() + 30
    while not fault_server.hits("/cookie/files/v/clip09.mp4"):
        assert time.monotonic() < deadline, "the guarded page was never tried"
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    assert (await stack.job(user, needs_jar))["status"] not in ("failed", "done")

    await stack.restart("vault")
    outage = time.monotonic() - down_at
    finished = await stack.wait_job(user, needs_jar, lambda j: j["status"] in ("done", "failed"),
                                    timeout=90, what="finished")
    assert finished["status"] == "done", finished
    cookie_sent = [r for r in fault_server.requests if r[1].startswith("/cookie/")
                   and f"mf_auth={fault_server.cookie_value}" in r[2].get("cookie", "")]
    assert cookie_sent, "the retried download did not send the user's cookies"
    assert await rig.audit.outbox_types(stack.settings, "downloader", needs_jar) == \
        ["DownloadStarted", "MediaDownloaded"]
    report = await rig.audit.check(stack.settings, await stack.all_jobs(stack.people))
    assert report.problems == [], report.problems
    figures(f"vault kill -9 ({outage:.0f} s down): cookie upload 503 with a reason, a plain "
            "download done meanwhile, the cookie-guarded one waited and was done with the "
            "user's cookies once the vault was back, exactly once")
