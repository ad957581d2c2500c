"""The yt-dlp lister processes: started ahead, reused, killed when a listing overruns.

A lister (`ytdlp_lister`) runs in its own session and answers one JSON line per job line.
Starting one costs two to three seconds on a small machine (yt-dlp imports, then
compiles the patterns of ~2000 extractors); a warm one lists a page in a fraction of a
second. So idle listers are kept (`keep_idle`) and reused, one job at a time each, and
retired after `max_jobs` (yt-dlp keeps caches). A listing that overruns its deadline or is
cancelled kills its lister's whole process group: the next job never meets a lister in an
unknown state. The private-address guard is fixed per process when it starts.

Users never share a lister's memory: each job builds its own YoutubeDL, but a few yt-dlp
extractors keep login tokens in class attributes, so a lister that ran a job with a
user's cookies is retired after it. Only listers that have seen no cookies are reused.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections import deque
from typing import Any

from mf_contracts.logging import get_logger

log = get_logger(__name__)
LISTER_MODULE = "mf_feeds.adapters.ytdlp_lister"
_LINE_LIMIT = 64 * 2**20  # one answer line lists up to max_items entries


class ListerGone(Exception):
    """The lister exited without answering (a crash, or it was killed)."""


class Lister:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.jobs = 0
        self.saw_cookies = False
        self.stderr_tail: deque[str] = deque(maxlen=10)
        self._drain = asyncio.create_task(self._drain_stderr())

    @classmethod
    async def spawn(cls, *, allow_private: bool) -> Lister:
        args = ["--allow-private"] if allow_private else []
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", LISTER_MODULE, *args, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True, limit=_LINE_LIMIT)
        return cls(proc)

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None

    async def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        """Send one job, wait for its answer line (lines that are not JSON are skipped)."""
        self.jobs += 1
        self.saw_cookies = self.saw_cookies or bool(job.get("cookiefile"))
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        await self.proc.stdin.drain()
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                raise ListerGone(f"exit {await self.proc.wait()}: {list(self.stderr_tail)}")
            with contextlib.suppress(ValueError):
                answer = json.loads(line)
                if isinstance(answer, dict) and "type" in answer:
                    return answer

    async def kill(self) -> None:
        """The whole process group, reaped."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            await self.proc.wait()
        self._drain.cancel()

    async def _drain_stderr(self) -> None:
        """Keep the pipe empty (a full one would stall the lister) and its last lines."""
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.stderr_tail.append(raw.decode(errors="replace").rstrip()[:300])


class ListerPool:
    def __init__(self, *, allow_private: bool, keep_idle: int = 1, max_jobs: int = 50) -> None:
        self.allow_private = allow_private
        self.keep_idle = keep_idle
        self.max_jobs = max_jobs
        self._idle: list[Lister] = []
        self._closed = False

    async def warm(self) -> None:
        """Start an idle lister now; it warms up in the background."""
        if self.keep_idle > 0 and not self._idle and not self._closed:
            lister = await Lister.spawn(allow_private=self.allow_private)
            if self._closed:  # closed while it started
                await lister.kill()
            else:
                self._idle.append(lister)

    async def ask(self, job: dict[str, Any], *, timeout_s: float) -> dict[str, Any]:
        """One job on an idle lister (or a new one). Raises TimeoutError at the deadline,
        ListerGone if the lister died; the lister is killed in both cases."""
        try:
            async with asyncio.timeout(timeout_s):
                lister = await self._take()
                try:
                    answer = await lister.ask(job)
                except BaseException:
                    await lister.kill()
                    raise
        except (TimeoutError, ListerGone):
            await self.warm()  # its replacement, for the next listing
            raise
        await self._give_back(lister)
        return answer

    async def _take(self) -> Lister:
        while self._idle:
            lister = self._idle.pop()
            if lister.alive:
                return lister
            await lister.kill()
        return await Lister.spawn(allow_private=self.allow_private)

    async def _give_back(self, lister: Lister) -> None:
        keep = (not self._closed and lister.alive and not lister.saw_cookies
                and lister.jobs < self.max_jobs and len(self._idle) < self.keep_idle)
        if keep:
            self._idle.append(lister)
            return
        await lister.kill()
        await self.warm()  # a retired lister's successor warms up before it is needed

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for lister in idle:
            await lister.kill()

    @property
    def idle_pids(self) -> list[int]:
        return [lister.proc.pid for lister in self._idle]
