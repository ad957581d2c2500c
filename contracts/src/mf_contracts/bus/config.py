"""Consumer tuning, kept apart from Settings so tests can shrink the timings."""
from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings


@dataclass(frozen=True)
class BusConfig:
    claim_idle_ms: int = 30_000
    heartbeat_ms: int = 5_000
    max_deliveries: int = 5
    batch_size: int = 256
    # Sub-batches applied concurrently (split by correlation id: a job's events keep order).
    parallel: int = 1
    long_concurrency: int = 2
    block_ms: int = 1_000
    shutdown_grace_s: float = 10.0

    @classmethod
    def from_settings(cls, s: Settings, *, long_concurrency: int = 2,
                      parallel: int = 1) -> BusConfig:
        return cls(claim_idle_ms=s.claim_idle_ms, heartbeat_ms=s.heartbeat_ms,
                   max_deliveries=s.max_deliveries, batch_size=s.batch_size,
                   long_concurrency=long_concurrency, parallel=parallel)

    @property
    def reclaim_every_s(self) -> float:
        return max(self.claim_idle_ms / 4000, 0.05)
