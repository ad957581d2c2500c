"""Real restarts: Redis killed with SIGKILL and started again on its append-only file,
PostgreSQL shut down immediately (no checkpoint; crash recovery on start), each while
jobs are in flight and each down for a few seconds.

The shared servers of this machine are never touched: the stack runs against private
ones (mf_testkit.servers). What must hold: no service dies of the outage; what the
gateway accepted before or during it finishes exactly once; while the database is down
the gateway answers 503 with a reason, not 500; the audit finds rows, counts and files
in agreement afterwards.
"""
from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import pytest_asyncio
from mf_testkit.procstack import accepted
from mf_testkit.servers import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.asyncio(loop_scope="session")

SLOW_BPS = 60_000  # a 228 KB clip takes ~4 s: the outage lands mid-download
OUTAGE_S = 3


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    redis = PrivateRedis(tmp_path_factory.mktemp("private-redis"))
    pg = PrivatePostgres()
    try:
        redis.start()
        pg.init()
        pg.start()
        yield redis, pg
    finally:
        redis.stop()
        pg.destroy()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(rig, servers):
    redis, pg = servers
    settings = rig.settings(download_concurrency=2, transcode_concurrency=1)
    async with rig.stack(settings, database_url=pg.url, redis_url=redis.url) as stack:
        stack.people = await stack.users(1)
        yield stack


async def settle_and_audit(stack, rig, ids: list[str], *, timeout: float = 120) -> dict:
    user = stack.people[0]
    jobs = await stack.wait_jobs({j: user for j in ids}, timeout=timeout)
    everything = await stack.wait_jobs({j: user for j in await stack.jobs_of(user)},
                                       timeout=timeout)
    report = await rig.audit.check(stack.settings, everything)
    assert report.problems == [], report.problems
    return jobs


async def test_redis_killed_and_restarted_mid_pipeline(stack, rig, servers, fault_server,
                                                       figures):
    redis, _ = servers
    user = stack.people[0]
    urls = [f"/slow/files/v/clip14.mp4?bps={SLOW_BPS}&r=restart", "/files/v/clip15.mp4?r=restart",
            "/files/vp9_opus_webm.webm?r=restart", "/files/h264_aac_mkv.mkv?r=restart"]
    ids = accepted(await stack.burst([(user, fault_server.url(u)) for u in urls]))
    await stack.wait_job(user, ids[0], lambda j: j["status"] == "downloading", timeout=60,
                         what="started downloading")
    redis.crash()
    down_at = time.monotonic()
    # The bus is down, the database is not: a submission is stored (its event waits in
    # the gateway's outbox) and answered as usual.
    during = await stack.submit(user, fault_server.url("/files/v/clip16.mp4?r=during"))
    assert during.status_code == 202, during.text
    await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
    redis.start()
    ids.append(during.json()["id"])
    jobs = await settle_and_audit(stack, rig, ids)
    assert [jobs[j]["status"] for j in ids] == ["done"] * 5, jobs
    assert all(stack.alive(n) for n in stack.names), stack.tails()
    for job in ids:  # exactly once, though the bus restarted under every service
        assert await rig.audit.outbox_types(stack.settings, "library", job) == \
            ["LibraryItemAdded"]
    figures(f"Redis kill -9 and restart on its AOF ({OUTAGE_S} s down) mid-pipeline: 4 jobs in "
            "flight and 1 submitted during the outage all done exactly once, no service died")


async def test_postgres_crashed_and_restarted_mid_pipeline(stack, rig, servers, fault_server,
                                                           figures):
    _, pg = servers
    user = stack.people[0]
    urls = [f"/slow/files/v/clip17.mp4?bps={SLOW_BPS}&pg=restart", "/files/v/clip18.mp4?pg=restart",
            "/files/long_vp9.webm?pg=restart", "/files/v/clip19.mp4?pg=restart",
            "/status/404?pg=restart"]
    ids = accepted(await stack.burst([(user, fault_server.url(u)) for u in urls]))
    await stack.wait_job(user, ids[0], lambda j: j["status"] == "downloading", timeout=60,
                         what="started downloading")
    pg.crash()
    down_at = time.monotonic()
    # Nothing can be stored now: the gateway says so (503 with a reason and Retry-After),
    # and the client keeps its URL to send again.
    async with stack.client(user.token) as c:
        refused = await c.post("/api/jobs", json={"url": fault_server.url("/files/v/clip10.mp4")})
        listing = await c.get("/api/jobs")
    assert refused.status_code == 503, (refused.status_code, refused.text)
    assert "database" in refused.json()["detail"] and refused.headers.get("retry-after")
    assert listing.status_code == 503, (listing.status_code, listing.text)
    await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
    pg.start()
    again = await _submit_when_up(stack, user, fault_server.url("/files/v/clip10.mp4?pg=after"))
    ids.append(again)
    jobs = await settle_and_audit(stack, rig, ids, timeout=150)
    assert [jobs[j]["status"] for j in ids] == ["done"] * 4 + ["failed", "done"], jobs
    assert "404" in jobs[ids[4]]["error"], jobs[ids[4]]
    assert all(stack.alive(n) for n in stack.names), stack.tails()
    figures(f"PostgreSQL immediate shutdown and restart with crash recovery ({OUTAGE_S} s down) "
            "mid-pipeline: 4 done + 1 failed (404) as expected, exactly once; submissions "
            "during the outage got 503 with a reason; no service died")


async def _submit_when_up(stack, user, url: str, *, timeout: float = 30) -> str:
    """What a client does with a 503: send the same URL again shortly."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = await stack.submit(user, url)
            if r.status_code == 202:
                return r.json()["id"]
            assert r.status_code == 503, (r.status_code, r.text)
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the gateway never took submissions again"
        await asyncio.sleep(0.2)
