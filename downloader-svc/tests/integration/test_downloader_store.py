"""The downloader's SQL against real Postgres: the per-job lock and known sources."""
from __future__ import annotations

import asyncio
import uuid

from mf_contracts.events import MediaInfo
from mf_downloader import store
from mf_downloader.app import SPEC
from mf_testkit.bus_rig import runtime


async def test_one_attempt_per_job_holds_the_lock(settings):
    job = uuid.uuid4()
    async with runtime(SPEC, settings) as rt:
        async with store.job_lock(rt.pool, job_id=job, wait_s=1) as first:
            assert first
            async with store.job_lock(rt.pool, job_id=job, wait_s=0.3) as second:
                assert second is False
            async with store.job_lock(rt.pool, job_id=uuid.uuid4(), wait_s=0.3) as other:
                assert other  # other jobs are not held up
        async with store.job_lock(rt.pool, job_id=job, wait_s=0.3) as again:
            assert again


async def test_a_waiting_attempt_starts_when_the_earlier_one_lets_go(settings):
    job = uuid.uuid4()
    async with runtime(SPEC, settings) as rt:
        held = asyncio.Event()

        async def earlier():
            async with store.job_lock(rt.pool, job_id=job, wait_s=1):
                held.set()
                await asyncio.sleep(0.5)

        task = asyncio.create_task(earlier())
        await held.wait()
        async with store.job_lock(rt.pool, job_id=job, wait_s=5) as later:
            assert later and task.done()


async def test_known_source_keeps_the_jobs_metadata_and_goes_with_its_file(settings):
    job = uuid.uuid4()
    full = MediaInfo(title="Clip", duration=3.0, uploader="someone", source_url="http://h/c?1",
                     webpage_url="http://h/c?1", extractor="Generic", source_id="c")
    async with runtime(SPEC, settings) as rt:
        async with rt.pool.acquire() as conn, conn.transaction():
            await store.record_job_media(conn, job_id=job, info=full, existing_sha256=None)
            await store.remember_source(
                conn, job_id=job, extractor="Generic", source_key="h/c#c", source_id="c",
                sha256="ab" * 32, item_id="item-1", urls=["http://h/c?1", "http://h/c?1"],
                info={"title": "Clip", "source_url": "http://h/c?1", "duration": None})
        known = await store.find_by_url(rt.pool, url="http://h/c?1")
        assert known and known.sha256 == "ab" * 32
        assert (known.info["duration"], known.info["uploader"]) == (3.0, "someone")
        assert await store.find_by_source(rt.pool, extractor="Generic", source_key="h/c#c")
        assert not await rt.pool.fetchval("SELECT count(*) FROM job_media")
        async with rt.pool.acquire() as conn:
            assert await store.forget_file(conn, sha256="ab" * 32) == 1
        assert await store.find_by_url(rt.pool, url="http://h/c?1") is None
        assert not await rt.pool.fetchval("SELECT count(*) FROM known_source_urls")
