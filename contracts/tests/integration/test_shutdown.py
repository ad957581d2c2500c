"""SIGTERM semantics: in-flight long handlers finish within the grace period or are released."""
from __future__ import annotations

import time

from mf_testkit import projection
from mf_testkit.bus_rig import (
    consuming,
    count,
    emit,
    fast_config,
    producer_spec,
    runtime,
    url_events,
    wait_until,
)
from mf_testkit.projection import projection_spec


async def test_stop_lets_a_short_running_job_finish(settings, uniq):
    spec = projection_spec(f"proj_{uniq}", long_running=True, long_sleep_s=1.0)
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, runtime(spec, settings) as proj:
        async with consuming(proj, config=fast_config(settings, shutdown_grace_s=5)) as c:
            await emit(prod, url_events([f"https://s.example/{uniq}/slow"]))
            await wait_until(lambda: _called(f"https://s.example/{uniq}/slow"), what="start")
        # leaving the block is the SIGTERM path: it waited for the handler
        assert c.acked == 1
        assert await count(proj, "SELECT count(*) FROM effects") == 1


async def test_stop_releases_a_job_that_outlives_the_grace_period(settings, uniq):
    spec = projection_spec(f"proj_{uniq}", long_running=True, long_sleep_s=60)
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, runtime(spec, settings) as proj:
        cfg = fast_config(settings, shutdown_grace_s=0.3, claim_idle_ms=60_000)
        t0 = time.monotonic()
        async with consuming(proj, config=cfg) as first:
            await emit(prod, url_events([f"https://r.example/{uniq}/slow"]))
            await wait_until(lambda: _called(f"https://r.example/{uniq}/slow"), what="start")
        assert time.monotonic() - t0 < 10 and first.acked == 0
        # Released: claimable at once, though claim_idle is a minute.
        quick = projection_spec(proj.spec.name, long_running=True, long_sleep_s=0.1)
        async with runtime(quick, settings) as again, consuming(again, config=cfg) as second:
            assert await second.reclaim() == 1
            await wait_until(lambda: _acked(second), what="second consumer finished it")
        assert await count(proj, "SELECT count(*) FROM effects") == 1


async def _called(url: str) -> bool:
    return url in projection.CALLS


async def _acked(consumer) -> bool:
    return consumer.acked == 1
