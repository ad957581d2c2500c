"""Submitting, following, cancelling jobs; the SSRF guard; hostile bodies."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from mf_contracts.events import (
    DownloadStarted,
    JobCancelled,
    LibraryItemAdded,
    MediaDownloaded,
    MediaInfo,
    MediaTranscoded,
    Probe,
    TranscodeFailed,
    UrlSubmitted,
)
from mf_testkit.pipeline import submitter, watching


@pytest.mark.parametrize("url,reason", [
    ("http://127.0.0.1/video.mp4", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("file:///etc/passwd", "only http and https"),
    ("ftp://example.com/a.mp4", "only http and https"),
    ("http://[::1]:8080/x", "loopback"),
    ("http://2130706433/x", "loopback"),
    ("http://10.1.2.3/x", "private"),
    ("http://user:pw@example.com/x", "credentials"),
    ("not a url", "only http and https"),
])
async def test_urls_that_must_not_be_fetched_get_422(gateway, url, reason):
    token = await gateway.signup()
    async with gateway.client(token) as c:
        r = await c.post("/api/jobs", json={"url": url})
    assert r.status_code == 422 and reason in r.json()["detail"], r.text


async def test_oversized_bodies_and_urls_are_refused(gateway):
    token = await gateway.signup()
    async with gateway.client(token) as c:
        huge = await c.post("/api/jobs", content=b'{"url": "' + b"a" * (10 * 1024 * 1024) + b'"}',
                            headers={"content-type": "application/json"})
        assert huge.status_code == 413 and "too large" in huge.json()["detail"]
        long_url = await c.post("/api/jobs", json={"url": "https://example.com/" + "a" * 5000})
        assert long_url.status_code == 422 and "url" in long_url.json()["detail"]
        assert (await c.get("/api/jobs")).json()["total"] == 0


async def test_job_follows_the_pipeline_events_and_stays_private(gateway):
    admin = await gateway.signup()
    other = await gateway.add_user(admin, "other")
    job_id, _ = await _job_via_events(gateway, admin)
    async with gateway.client(admin) as c:
        job = (await c.get(f"/api/jobs/{job_id}")).json()
        assert job["status"] == "done" and job["title"] == "Big Buck" and job["action"] == "remux"
        assert job["item_id"] and job["finished_at"]
        assert (await c.get("/api/jobs")).json()["total"] == 1
    async with gateway.client(other) as c:
        assert (await c.get(f"/api/jobs/{job_id}")).status_code == 404
        assert (await c.post(f"/api/jobs/{job_id}/cancel")).status_code == 404
        assert (await c.get("/api/jobs")).json()["total"] == 0


async def test_cancel_emits_job_cancelled_and_retry_makes_a_new_job(gateway):
    token = await gateway.signup()
    async with gateway.client(token) as c, watching(gateway.settings) as watch:
        user = (await c.get("/api/auth/me")).json()["id"]
        job_id = await _inject_job(gateway, user)
        r = await c.post(f"/api/jobs/{job_id}/cancel")
        assert r.status_code == 202 and r.json()["status"] == "cancelled"
        cancelled = await watch.wait_for(uuid.UUID(job_id), {"JobCancelled"}, timeout=10)
        assert str(cancelled.user_id) == user
        assert (await c.post(f"/api/jobs/{job_id}/cancel")).status_code == 409
        retried = await c.post(f"/api/jobs/{job_id}/retry")
        assert retried.status_code == 202 and retried.json()["id"] != job_id
        assert (await watch.wait_for(uuid.UUID(retried.json()["id"]), {"UrlSubmitted"}, timeout=10))


async def test_failed_job_shows_its_reason(gateway):
    token = await gateway.signup()
    async with gateway.client(token) as c, submitter(gateway.settings) as sub:
        user = uuid.UUID((await c.get("/api/auth/me")).json()["id"])
        job_id = uuid.UUID(await _inject_job(gateway, str(user)))
        await sub.send(TranscodeFailed(reason="The downloaded file is not playable media"),
                       job_id=job_id, user_id=user)
        job = await _wait_status(c, job_id, "failed")
        assert job["error"] == "The downloaded file is not playable media"


async def _inject_job(gateway, user_id: str) -> str:
    """A job as the pipeline's submitters record it (UrlSubmitted), no network involved."""
    async with submitter(gateway.settings) as sub:
        job_id = uuid.uuid4()
        await sub.send(UrlSubmitted(url="https://example.com/v.mp4"), job_id=job_id,
                       user_id=uuid.UUID(user_id))
    token = await gateway.login("admin", "correct horse")
    async with gateway.client(token) as c:
        for _ in range(200):
            if (await c.get(f"/api/jobs/{job_id}")).status_code == 200:
                return str(job_id)
            await asyncio.sleep(0.05)
    raise AssertionError("the job never appeared")


async def _job_via_events(gateway, token: str) -> tuple[uuid.UUID, uuid.UUID]:
    async with gateway.client(token) as c, submitter(gateway.settings) as sub:
        user = uuid.UUID((await c.get("/api/auth/me")).json()["id"])
        job_id = uuid.UUID(await _inject_job(gateway, str(user)))
        info = MediaInfo(title="Big Buck", source_url="https://example.com/v.mp4")
        for payload in (DownloadStarted(url=info.source_url, title="Big Buck"),
                        MediaDownloaded(path="/x", info=info),
                        MediaTranscoded(path="/y", action="remux", probe=Probe(), info=info),
                        LibraryItemAdded(item_id=str(uuid.uuid4()), sha256="a" * 64)):
            await sub.send(payload, job_id=job_id, user_id=user)
        await _wait_status(c, job_id, "done")
        # a late event changes nothing on a finished job
        await sub.send(JobCancelled(), job_id=job_id, user_id=user)
    return job_id, user


async def _wait_status(c, job_id, status: str) -> dict:
    for _ in range(200):
        job = (await c.get(f"/api/jobs/{job_id}")).json()
        if job["status"] == status:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job never reached {status}: {job}")
