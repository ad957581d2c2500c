"""A consumer in its own process, so tests can kill -9 it mid-batch or mid-handler.

    python -m mf_testkit.bus_worker NAME [--long] [--sleep S] [--long-sleep S]

Settings come from MF_* environment variables. Prints "ready <consumer-name>" once its
groups exist, then consumes until killed.
"""
from __future__ import annotations

import argparse
import asyncio

from mf_contracts.bus.config import BusConfig
from mf_contracts.service import build_consumer, open_runtime
from mf_contracts.settings import Settings

from .projection import projection_spec


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("--long", action="store_true")
    p.add_argument("--sleep", type=float, default=0.0)
    p.add_argument("--long-sleep", type=float, default=3.0)
    p.add_argument("--batch", type=int, default=50)
    args = p.parse_args()
    settings = Settings()
    spec = projection_spec(args.name, long_running=args.long, consumer="worker",
                           sleep_s=args.sleep, long_sleep_s=args.long_sleep)
    rt = await open_runtime(spec, settings)
    config = BusConfig(claim_idle_ms=settings.claim_idle_ms, heartbeat_ms=settings.heartbeat_ms,
                       max_deliveries=settings.max_deliveries, batch_size=args.batch,
                       long_concurrency=2, block_ms=200)
    consumer = build_consumer(rt, config=config)
    await consumer.ensure_groups()
    print(f"ready {consumer.name}", flush=True)
    await consumer.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main())
