"""Helpers for the downloader's integration tests: the real service, real yt-dlp,
media served from 127.0.0.1 by the testkit's MediaServer."""
from __future__ import annotations

import json
import os
import subprocess
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from mf_contracts.settings import Settings
from mf_downloader.adapters.ytdlp import WORKER_MODULE
from mf_downloader.app import build_spec
from mf_testkit.pipeline import pipeline_settings, running, submitter, watching
from redis.asyncio import Redis


def probe_streams(path: Path) -> set[str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return {s["codec_type"] for s in json.loads(out.stdout)["streams"]}


def worker_processes(parent: int | None = None, *, any_parent: bool = False) -> list[int]:
    """Download worker processes whose parent is `parent` (default: this process)."""
    parent = parent or os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if (any_parent or ppid == parent) and WORKER_MODULE in cmdline:
            found.append(int(entry.name))
    return found


def job_worker(staging: Path) -> int | None:
    """The worker process writing into this job's staging folder (it holds the .part open)."""
    for pid in worker_processes(None, any_parent=True):
        try:
            targets = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        if any(t.startswith(f"{staging}/") for t in targets):
            return pid
    return None


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Kit:
    """What the tests share, bound to one test's settings (with import-mode=importlib a
    conftest cannot be imported, so the helpers come as a fixture)."""

    DONE = frozenset({"MediaDownloaded", "DownloadFailed"})
    probe_streams = staticmethod(probe_streams)
    worker_processes = staticmethod(worker_processes)
    group_alive = staticmethod(group_alive)
    job_worker = staticmethod(job_worker)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @asynccontextmanager
    async def rig(self, *, warm_spare: bool = False, **config):
        """The downloader running in this event loop, a submitter and an event watch.

        Without the spare worker unless asked: each spare warms up for about a CPU
        second, which most tests would throw away (the spare has its own tests).
        """
        async with running(self.settings, [build_spec(warm_spare=warm_spare, **config)]), \
                submitter(self.settings) as sub, watching(self.settings) as watch:
            yield sub, watch

    async def group_gone(self, pgid: int) -> bool:
        return not group_alive(pgid)

    async def nothing_pending(self) -> bool:
        """The downloader's group holds no unacknowledged `jobs` entry: nothing of a
        job can be redelivered any more."""
        client = Redis.from_url(self.settings.redis_url)
        try:
            summary = await client.xpending(f"{self.settings.redis_prefix}stream:jobs",
                                            "downloader")
        finally:
            await client.aclose()
        return summary["pending"] == 0

    async def outbox_types(self, job_id: uuid.UUID) -> list[str]:
        return await outbox_types(self.settings, job_id)

    def staging(self, job_id: uuid.UUID) -> Path:
        return self.settings.media_root / "staging" / str(job_id)

    async def handled(self, event_id: uuid.UUID) -> bool:
        """The downloader committed its handling of this event (its inbox has it)."""
        conn = await asyncpg.connect(self.settings.database_url)
        try:
            schema = f"{self.settings.db_schema_prefix}downloader"
            return bool(await conn.fetchval(
                f"SELECT 1 FROM {schema}.inbox WHERE event_id = $1", event_id))
        finally:
            await conn.close()


@pytest.fixture
def dl_settings(settings: Settings) -> Settings:
    """Free ports, private networks allowed (the media server is on 127.0.0.1)."""
    return pipeline_settings(settings)


@pytest.fixture
def kit(dl_settings: Settings) -> Kit:
    return Kit(dl_settings)


async def outbox_types(settings: Settings, job_id: uuid.UUID) -> list[str]:
    """What the downloader has emitted for a job, from its own event log."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        schema = f"{settings.db_schema_prefix}downloader"
        rows = await conn.fetch(f"SELECT type FROM {schema}.outbox WHERE correlation_id = $1"
                                " ORDER BY seq", job_id)
    finally:
        await conn.close()
    return [r["type"] for r in rows]
