"""Failing handlers, long handlers and malformed messages."""
from __future__ import annotations

import asyncio
import signal

import orjson
from mf_contracts.envelope import decode, encode, to_dict
from mf_testkit import projection
from mf_testkit.bus_rig import (
    consuming,
    count,
    emit,
    fast_config,
    producer_spec,
    runtime,
    start_worker,
    url_events,
    wait_until,
)
from mf_testkit.projection import projection_spec

EFFECTS = "SELECT count(*) FROM effects"


async def test_failing_handler_is_dead_lettered_and_consumer_goes_on(settings, uniq):
    good = url_events([f"https://ok.example/{i}" for i in range(20)])
    bad = url_events(["https://bad.example/fail"])
    later = url_events([f"https://later.example/{i}" for i in range(5)])
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        dead_key = proj.keys.dead_letter(proj.spec.name)
        async with consuming(proj, config=fast_config(settings, claim_idle_ms=300, max_deliveries=3)):
            await emit(prod, good[:10] + bad + good[10:])
            await wait_until(lambda: _xlen(proj, dead_key, 1), timeout=20, what="dead letter")
            await emit(prod, later)
            await wait_until(lambda: _effects(proj, 25), what="events after the dead letter")
        [(_, fields)] = await proj.redis.xrange(dead_key)
        assert b"cannot handle https://bad.example/fail" in fields[b"error"]
        assert int(fields[b"deliveries"]) == 4  # tried 3 times, given up on the 4th delivery
        assert decode(fields[b"e"]).id == bad[0].id
        assert projection.CALLS.count("https://bad.example/fail") >= 3
        assert await count(proj, EFFECTS) == 25
        fact = await proj.pool.fetchrow("SELECT type, correlation_id FROM outbox")
        assert fact["type"] == "EventDeadLettered"
        assert fact["correlation_id"] == bad[0].correlation_id  # the job can be failed
        assert await proj.redis.hlen(proj.keys.errors(proj.spec.name)) == 0


async def test_poison_is_dead_lettered_at_once(settings, uniq):
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        dead_key = proj.keys.dead_letter(proj.spec.name)
        async with consuming(proj, config=fast_config(settings, claim_idle_ms=60_000)):
            await emit(prod, url_events(["https://p.example/poison", "https://p.example/ok"]))
            await wait_until(lambda: _xlen(proj, dead_key, 1), timeout=5, what="poison dead letter")
            await wait_until(lambda: _effects(proj, 1), what="the good event")
        [(_, fields)] = await proj.redis.xrange(dead_key)
        assert b"can never work" in fields[b"error"] and int(fields[b"deliveries"]) == 1


async def test_long_handler_with_heartbeat_is_not_reclaimed(settings, uniq):
    """A 3 s handler with a 0.5 s claim idle time: the heartbeat keeps it its own."""
    spec = projection_spec(f"proj_{uniq}", long_running=True, long_sleep_s=3.0)
    projection.CALLS.clear()
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(spec, settings) as proj:
        cfg = fast_config(settings, claim_idle_ms=500, heartbeat_ms=150)
        async with consuming(proj, config=cfg) as first:
            await emit(prod, url_events(["https://l.example/slow"]))
            await wait_until(lambda: _called("https://l.example/slow"), what="handler start")
            async with consuming(proj, config=cfg) as second:
                for _ in range(10):  # 3 s of a rival trying to take over
                    await asyncio.sleep(0.3)
                    assert await second.reclaim() == 0
            await wait_until(lambda: _effects(proj, 1), what="long handler done")
        assert projection.CALLS.count("https://l.example/slow") == 1
        assert first.acked == 1
        assert await count(proj, EFFECTS) == 1


async def test_dead_consumers_long_job_is_taken_over(settings, uniq):
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}", long_running=True), settings) as proj:
        worker = start_worker(settings, proj.spec.name, "--long", "--long-sleep", "30",
                              MF_CLAIM_IDLE_MS="500", MF_HEARTBEAT_MS="150")
        try:
            await emit(prod, url_events(["https://dead.example/slow"]))
            await wait_until(lambda: _pending_owner(proj, "proj"), what="worker owns the job")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        spec = projection_spec(proj.spec.name, long_running=True, long_sleep_s=0.2)
        async with runtime(spec, settings) as again, consuming(again) as rescuer:
            await wait_until(lambda: _effects(again, 1), timeout=20, what="takeover")
        assert rescuer.acked == 1
        row = await proj.pool.fetchrow("SELECT count(*) AS n, min(consumer) AS c FROM effects")
        assert (row["n"], row["c"]) == (1, "")  # done once, by the rescuer


async def test_malformed_messages_are_skipped(settings, uniq, redis):
    async with runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        key = proj.keys.stream("jobs")
        good = url_events(["https://g.example/1"])[0]
        newer = {**to_dict(good), "id": "01900000-0000-7000-8000-000000000001", "version": 99}
        unknown = {**to_dict(good), "type": "SomethingNew"}
        bad_payload = {**to_dict(good), "payload": {"nope": 1}}
        async with consuming(proj) as consumer:
            for fields in ({b"e": b"{not json"}, {b"e": orjson.dumps(newer)},
                           {b"e": orjson.dumps(unknown)}, {b"e": orjson.dumps(bad_payload)},
                           {b"other": b"x"}, {b"e": encode(good)}):
                await redis.xadd(key, fields)
            await wait_until(lambda: _effects(proj, 1), what="the good event")
            await wait_until(lambda: _no_pending(proj), what="all acked")
        assert consumer.acked == 6
        assert await count(proj, EFFECTS) == 1


async def _xlen(rt, key: str, n: int) -> bool:
    return await rt.redis.xlen(key) >= n


async def _effects(rt, n: int) -> bool:
    return await count(rt, EFFECTS) >= n


async def _called(url: str) -> bool:
    return url in projection.CALLS


async def _pending_owner(rt, prefix: str) -> bool:
    rows = await rt.redis.xpending_range(rt.keys.stream("jobs"), rt.spec.name, "-", "+", 10)
    return any(r["consumer"].decode().startswith(prefix) for r in rows)


async def _no_pending(rt) -> bool:
    return int((await rt.redis.xpending(rt.keys.stream("jobs"), rt.spec.name))["pending"]) == 0


async def test_short_events_are_not_stuck_behind_busy_long_handlers(settings, uniq):
    """All long slots busy (a slow download): a JobCancelled is still handled at once."""
    from mf_contracts.bus import Handler
    from mf_contracts.events import JobCancelled
    from mf_contracts.service import ServiceSpec
    from mf_testkit.pipeline import Submitter

    async def cancelled(ctx, env):
        async with ctx.transaction() as conn:
            await conn.execute("INSERT INTO effects (event_id, url) VALUES ($1, 'cancelled')", env.id)

    base = projection_spec(f"proj_{uniq}", long_running=True, long_sleep_s=30)
    spec = ServiceSpec(name=base.name, package=base.package, port=base.port,
                       handlers={**base.handlers, "JobCancelled": Handler(cancelled)})
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, runtime(spec, settings) as proj:
        cfg = fast_config(settings, long_concurrency=1, shutdown_grace_s=0.1)
        async with consuming(proj, config=cfg):
            busy = url_events([f"https://busy.example/{uniq}/slow"])
            await emit(prod, busy)
            await wait_until(lambda: _called(f"https://busy.example/{uniq}/slow"), what="busy")
            await Submitter(prod).send(JobCancelled(), job_id=busy[0].correlation_id)
            await wait_until(lambda: _effects(proj, 1), timeout=5, what="the cancel, while busy")
