"""Bus throughput: events/s acked through one consumer group with the guarantees on
(outbox append + relay + inbox + effect + XACK), against a bare XADD/XREADGROUP/XACK
loop on the same Redis in the same run. The ratio is the cost of the guarantees.

    uv run python bench/bus_bench.py [--events 20000]

Both loops run on uvloop, as the services do.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time

from redis.asyncio import Redis

from mf_contracts.bus import Handler
from mf_contracts.service import ServiceSpec
from mf_contracts.settings import Settings
from mf_testkit.bus_rig import consuming, count, emit, fast_config, producer_spec, runtime, url_events
from mf_testkit.infra import fresh_database, fresh_redis


async def record(ctx, env) -> None:
    """The consumer's effect: one row per event (no unique key: a duplicate would show)."""
    async with ctx.transaction() as conn:
        await conn.execute("INSERT INTO effects (event_id, url) VALUES ($1, $2)",
                           env.id, env.payload.url)


async def bare_loop(redis: Redis, n: int, payload: bytes) -> float:
    key, group = f"bench:{secrets.token_hex(4)}", "g"
    await redis.xgroup_create(key, group, id="0", mkstream=True)

    async def produce() -> None:
        for start in range(0, n, 1000):
            pipe = redis.pipeline(transaction=False)
            for _ in range(min(1000, n - start)):
                pipe.xadd(key, {b"e": payload})
            await pipe.execute()

    async def consume() -> None:
        done = 0
        while done < n:
            resp = await redis.xreadgroup(group, "c", {key: ">"}, count=256, block=1000)
            for _, items in resp or []:
                await redis.xack(key, group, *[eid for eid, _ in items])
                done += len(items)

    t0 = time.perf_counter()
    await asyncio.gather(produce(), consume())
    elapsed = time.perf_counter() - t0
    await redis.delete(key)
    return n / elapsed


async def guarded_loop(settings: Settings, n: int, *, parallel: int, tag: str) -> float:
    settings = settings.model_copy(update={"redis_prefix": f"bench{tag}:"})
    envs = url_events([f"https://h{i % 9}.example/v/{i}" for i in range(n)])
    recorder = ServiceSpec(name=f"bench_proj{tag}", package="mf_testkit.projection",
                           port=lambda s: 0, handlers={"UrlSubmitted": Handler(record)})
    async with runtime(producer_spec(f"bench_prod{tag}"), settings) as prod, \
            runtime(recorder, settings) as proj:
        cfg = fast_config(settings, batch_size=500, parallel=parallel)
        async with consuming(proj, config=cfg) as consumer:
            t0 = time.perf_counter()
            for start in range(0, n, 1000):  # appended and relayed as they come, as in a service
                await emit(prod, envs[start:start + 1000], chunk=1000)
            while consumer.acked < n:
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - t0
        assert await count(proj, "SELECT count(DISTINCT event_id) FROM effects") == n
    return n / elapsed


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=20_000)
    args = p.parse_args()
    async with fresh_database() as dsn:
        with fresh_redis() as redis_url:
            settings = Settings(env="test", database_url=dsn, redis_url=redis_url,
                                redis_prefix="bench:", log_level="WARNING", log_format="console")
            redis = Redis.from_url(redis_url)
            payload = url_events(["https://x.example/v"])[0].model_dump_json().encode()
            bare = await bare_loop(redis, args.events, payload)
            guarded = await guarded_loop(settings, args.events, parallel=1, tag="1")
            guarded2 = await guarded_loop(settings, args.events, parallel=2, tag="2")
            await redis.aclose()
    print(json.dumps({"events": args.events, "bare_events_per_s": round(bare),
                      "guarded_events_per_s": round(guarded),
                      "guarded_parallel2_events_per_s": round(guarded2),
                      "guarded_over_bare": round(guarded / bare, 3)}))
    print(f"bus: {guarded:,.0f} events/s with outbox+inbox (parallel sub-batches: "
          f"{guarded2:,.0f}) vs {bare:,.0f} bare XADD/XREADGROUP/XACK "
          f"(ratio {guarded / bare:.2f}; target >= 5,000/s)")


if __name__ == "__main__":
    import uvloop  # the loop every service runs on (mf_contracts.service.run)

    uvloop.run(main())
