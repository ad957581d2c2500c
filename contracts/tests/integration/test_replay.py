"""Recovery from the event log: republish after Redis lost its data, rebuild a projection."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

from mf_contracts.replay import rebuild
from mf_testkit.bus_rig import (
    consuming,
    count,
    emit,
    producer_spec,
    runtime,
    url_events,
    wait_until,
)
from mf_testkit.infra import settings_env
from mf_testkit.projection import projection_spec


def _urls(n: int, start: int = 0) -> list[str]:
    return [f"https://h{i % 5}.example/v/{i}" + ("/emit" if i % 10 == 0 else "")
            for i in range(start, start + n)]


async def _state(rt) -> tuple:
    tally = [tuple(r) for r in await rt.pool.fetch("SELECT host, count FROM tally ORDER BY host")]
    effects = sorted(r["event_id"] for r in await rt.pool.fetch("SELECT event_id FROM effects"))
    emitted = await rt.pool.fetchval("SELECT count(*) FROM outbox")
    return tally, effects, emitted


async def test_republish_after_flushdb_restores_the_projection(settings, uniq, redis):
    first, second = url_events(_urls(500)), url_events(_urls(700, start=500))
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, \
            runtime(projection_spec(f"proj_{uniq}"), settings) as proj:
        async with consuming(proj):
            await emit(prod, first)
            await wait_until(lambda: _effects_at_least(proj, 500), what="first half")
        await emit(prod, second)  # published to Redis, not consumed yet...
        await redis.flushdb()     # ...and lost with everything else in Redis
        assert await count(prod, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
        out = _mf(settings, "replay", "republish", prod.schema)
        assert f"{prod.schema}: 1200 events republished" in out
        async with consuming(proj):
            await wait_until(lambda: _effects_at_least(proj, 1200), what="replayed events")
        tally, effects, emitted = await _state(proj)
        expected = Counter(urlsplit(e.payload.url).hostname for e in first + second)
        assert dict(tally) == dict(expected)
        assert effects == sorted(e.id for e in first + second)  # each exactly once
        assert emitted == 120  # the /emit events, once each


async def test_rebuild_after_dropping_the_projection(settings, uniq):
    envs = url_events(_urls(1000))
    spec = projection_spec(f"proj_{uniq}")
    async with runtime(producer_spec(f"prod_{uniq}"), settings) as prod, runtime(spec, settings) as proj:
        async with consuming(proj):
            await emit(prod, envs)
            await wait_until(lambda: _effects_at_least(proj, 1000), what="projection built")
        before = await _state(proj)
        await proj.pool.execute("DELETE FROM tally; DELETE FROM effects")
        assert (await _state(proj))[0] == []
        applied = await rebuild(spec, settings, sources=[prod.schema, proj.schema])
        assert applied == 1000
        assert await _state(proj) == before  # same rows, no re-emitted duplicates


def test_replay_help_explains_both():
    out = subprocess.run([sys.executable, "-m", "mf_contracts.cli.main", "replay", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "republish" in out and "rebuild" in out and "Redis lost its data" in out


async def _effects_at_least(rt, n: int) -> bool:
    return await count(rt, "SELECT count(*) FROM effects") >= n


def _mf(settings, *args: str) -> str:
    env = settings_env(settings)
    done = subprocess.run([sys.executable, "-m", "mf_contracts.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout
