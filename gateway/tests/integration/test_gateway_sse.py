"""Live updates over SSE: progress of a running job, resumption with Last-Event-ID."""
from __future__ import annotations

import asyncio
import json
import uuid

from mf_contracts.bus.ephemeral import EphemeralPublisher
from mf_contracts.bus.keys import Keys
from mf_contracts.envelope import new_envelope
from mf_contracts.events import DownloadProgress, DownloadStarted, LibraryItemAdded, UrlSubmitted
from mf_testkit.pipeline import submitter
from redis.asyncio import Redis


async def read_events(response, *, until, timeout: float = 15) -> list[dict]:
    """Parse the SSE stream until `until(events)` is true."""
    events, current = [], {}

    async def run():
        async for line in response.aiter_lines():
            if line == "":
                if "data" in current:
                    events.append({**current, "data": json.loads(current["data"])})
                    if until(events):
                        return
                current.clear()
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                current[name] = value

    await asyncio.wait_for(run(), timeout)
    return events


async def test_progress_is_live_and_a_reconnect_misses_nothing(gateway):
    token = await gateway.signup()
    redis = Redis.from_url(gateway.settings.redis_url)
    publisher = EphemeralPublisher(redis=redis, keys=Keys(gateway.settings.redis_prefix))
    async with gateway.client(token) as c, submitter(gateway.settings) as sub:
        user = uuid.UUID((await c.get("/api/auth/me")).json()["id"])
        job = uuid.uuid4()
        async with c.stream("GET", "/api/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            await asyncio.sleep(0.2)  # connected
            await sub.send(UrlSubmitted(url="https://example.com/a.mp4"), job_id=job, user_id=user)
            await sub.send(DownloadStarted(url="https://example.com/a.mp4", title="A"), job_id=job,
                           user_id=user)
            for pct in (10.0, 55.5):
                await publisher.publish_ephemeral(new_envelope(
                    DownloadProgress(percent=pct, downloaded_bytes=1000, total_bytes=2000, speed=5e5),
                    correlation_id=job, user_id=user))
                await asyncio.sleep(0.05)
            seen = await read_events(stream, until=lambda ev: any(
                e["data"].get("progress") == 55.5 for e in ev))
        assert any(e["event"] == "job" and e["data"]["status"] == "downloading" for e in seen)
        last_id = seen[-1]["id"]
        # while nobody listens, the job finishes
        await sub.send(LibraryItemAdded(item_id=str(uuid.uuid4()), sha256="b" * 64), job_id=job,
                       user_id=user)
        await _wait_done(c, job)
        async with c.stream("GET", "/api/events", headers={"last-event-id": last_id}) as stream:
            missed = await read_events(stream, until=lambda ev: any(
                e["event"] == "job" and e["data"]["status"] == "done" for e in ev))
        assert all(e["id"] > last_id for e in missed)
        assert any(e["event"] == "library" and e["data"]["type"] == "LibraryItemAdded" for e in missed)
    await redis.aclose()


async def test_events_need_a_user_and_stay_private(gateway):
    admin = await gateway.signup()
    other = await gateway.add_user(admin, "other")
    async with gateway.client() as anon:
        assert (await anon.get("/api/events")).status_code == 401
    async with gateway.client(other) as c, submitter(gateway.settings) as sub:
        ticket = (await c.get("/api/events/ticket")).json()["url"]
        async with gateway.client(admin) as a:
            admin_id = uuid.UUID((await a.get("/api/auth/me")).json()["id"])
        async with gateway.client() as anon, anon.stream("GET", ticket) as stream:
            assert stream.status_code == 200
            await sub.send(UrlSubmitted(url="https://example.com/secret.mp4"), job_id=uuid.uuid4(),
                           user_id=admin_id)
            got = []
            try:
                got = await read_events(stream, until=lambda ev: True, timeout=2)
            except TimeoutError:
                pass
        assert got == []  # the admin's job never reaches the other user
        bad = ticket.replace("sig=", "sig=x")
        async with gateway.client() as anon:
            assert (await anon.get(bad)).status_code == 401


async def _wait_done(c, job):
    for _ in range(200):
        if (await c.get(f"/api/jobs/{job}")).json()["status"] == "done":
            return
        await asyncio.sleep(0.05)
    raise AssertionError("job not done")
