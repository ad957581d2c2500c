"""Bus throughput: events/s acked through one consumer group with the guarantees on
(outbox append + relay + inbox + effect + XACK), against a bare XADD/XREADGROUP/XACK
loop on the same Redis in the same run. The ratio is the cost of the guarantees.

    uv run python bench/bus_bench.py [--events 20000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import time

from redis.asyncio import Redis

from mf_contracts.settings import Settings
from mf_testkit.bus_rig import consuming, count, emit, fast_config, producer_spec, runtime, url_events
from mf_testkit.infra import fresh_database, fresh_redis
from mf_testkit.projection import projection_spec


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


async def guarded_loop(settings: Settings, n: int) -> float:
    envs = url_events([f"https://h{i % 9}.example/v/{i}" for i in range(n)])
    async with runtime(producer_spec("bench_prod"), settings) as prod, \
            runtime(projection_spec("bench_proj"), settings) as proj:
        async with consuming(proj, config=fast_config(settings, batch_size=500)) as consumer:
            t0 = time.perf_counter()
            await emit(prod, envs, chunk=1000)
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
            guarded = await guarded_loop(settings, args.events)
            await redis.aclose()
    print(json.dumps({"events": args.events, "bare_events_per_s": round(bare),
                      "guarded_events_per_s": round(guarded),
                      "guarded_over_bare": round(guarded / bare, 3)}))
    print(f"bus: {guarded:,.0f} events/s with outbox+inbox vs {bare:,.0f} bare "
          f"(ratio {guarded / bare:.2f}; target >= 5,000/s)")


if __name__ == "__main__":
    asyncio.run(main())
