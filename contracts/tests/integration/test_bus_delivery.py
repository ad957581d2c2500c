"""Delivery guarantees of the bus against real Postgres and Redis."""
from __future__ import annotations

import asyncio
import signal

from mf_contracts.envelope import encode
from mf_testkit.bus_rig import (
    consuming,
    count,
    emit,
    producer_spec,
    runtime,
    start_worker,
    url_events,
    wait_until,
)
from mf_testkit.projection import projection_spec

EFFECTS = "SELECT count(*) FROM effects"
DISTINCT = "SELECT count(DISTINCT event_id) FROM effects"


async def test_10k_events_arrive_once_each(settings, uniq):
    envs = url_events([f"https://h{i % 7}.example/v/{i}" for i in range(10_000)])
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        async with consuming(proj):
            await emit(prod, envs)
            await wait_until(lambda: _has(proj, 10_000), timeout=120, what="10k effects")
            await asyncio.sleep(0.3)  # a late duplicate would land now
        assert await count(proj, EFFECTS) == 10_000
        assert await count(proj, DISTINCT) == 10_000
        ids = {r["event_id"] for r in await proj.pool.fetch("SELECT event_id FROM effects")}
        assert ids == {e.id for e in envs}
        assert await count(proj, "SELECT sum(count) FROM tally") == 10_000
        assert await _pending(proj) == 0


async def test_killed_consumer_is_reclaimed_without_duplicates(settings, uniq):
    """kill -9 a consumer mid-batch: another one takes over its pending entries."""
    envs = url_events([f"https://k.example/v/{i}" for i in range(2_000)])
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        worker = start_worker(settings, f"proj_{uniq}", "--sleep", "0.004", "--batch", "100")
        try:
            await emit(prod, envs)
            await wait_until(lambda: _has(proj, 300), timeout=60, what="worker progress")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        done_by_worker = await count(proj, EFFECTS)
        assert done_by_worker < 2_000, "the worker finished before it was killed"
        assert await _pending(proj) > 0, "the killed worker held no pending entries"
        async with consuming(proj):
            await wait_until(lambda: _has(proj, 2_000), timeout=60, what="takeover")
            await asyncio.sleep(0.5)
        assert await count(proj, EFFECTS) == 2_000
        assert await count(proj, DISTINCT) == 2_000
        assert await _pending(proj) == 0


async def test_same_entry_delivered_twice_applies_once(settings, redis, uniq):
    envs = url_events([f"https://d.example/v/{i}" for i in range(50)])
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        async with consuming(proj):
            await emit(prod, envs)
            key = prod.keys.stream("jobs")
            for env in envs[:10]:  # the same envelope again, as a new stream entry
                await redis.xadd(key, {b"e": encode(env)})
            await wait_until(lambda: _has(proj, 50), what="first copies")
            await wait_until(lambda: _pending_zero_and_read(proj, 60), what="duplicates read")
        assert await count(proj, EFFECTS) == 50
        assert await count(proj, DISTINCT) == 50


async def test_commit_without_ack_is_not_applied_again(settings, uniq):
    """A consumer that committed but died before XACK: the redelivery is a no-op."""
    envs = url_events([f"https://a.example/v/{i}" for i in range(300)])
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        async with consuming(proj) as first:
            first._ack = _no_ack  # committed effects, acks lost
            await emit(prod, envs)
            await wait_until(lambda: _has(proj, 300), what="first pass")
        assert await _pending(proj) == 300
        async with consuming(proj) as second:
            await wait_until(lambda: _pending_is(proj, 0), timeout=30, what="redelivery acked")
        assert second.acked == 300
        assert await count(proj, EFFECTS) == 300


async def _no_ack(entries) -> None:
    return None


async def _has(rt, n: int) -> bool:
    return await count(rt, EFFECTS) >= n


async def _pending(rt) -> int:
    info = await rt.redis.xpending(rt.keys.stream("jobs"), rt.spec.name)
    return int(info["pending"])


async def _pending_is(rt, n: int) -> bool:
    return await _pending(rt) == n


async def _pending_zero_and_read(rt, total: int) -> bool:
    groups = await rt.redis.xinfo_groups(rt.keys.stream("jobs"))
    group = next(g for g in groups if g["name"] == rt.spec.name.encode())
    return group["pending"] == 0 and group.get("entries-read", total) >= total
