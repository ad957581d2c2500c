"""yt-dlp behind a small interface: a download process the service talks to in lines.

The worker (`ytdlp_worker`) runs in its own session: the service never blocks on
yt-dlp, a cancel kills the whole process group (ffmpeg children included), and a
worker whose service died kills itself (its stdin hits EOF).
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
WORKER_MODULE = "mf_downloader.adapters.ytdlp_worker"
_LINE_LIMIT = 16 * 1024 * 1024  # an info line carries a (trimmed) description


def ytdlp_version() -> str:
    from yt_dlp.version import __version__

    return __version__


class Worker:
    """One running download process. Messages are the worker's JSON lines; when its
    stdout ends, one last `{"type": "exit", "returncode": n}` is returned."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.stderr_tail: deque[str] = deque(maxlen=20)
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        self._exited = False
        self._finished = False  # it reported its result and is exiting on its own

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    async def spawn(cls) -> Worker:
        """A worker that imports yt-dlp, then waits for its job (`begin`)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", WORKER_MODULE,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True, limit=_LINE_LIMIT)
        return cls(proc)

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and not self._exited

    async def begin(self, *, job: dict[str, Any]) -> None:
        await self._write(json.dumps(job))

    async def next_message(self, *, timeout: float) -> dict[str, Any] | None:
        """The next message, or None if none came within `timeout` seconds."""
        if self._exited:
            return {"type": "exit", "returncode": self.proc.returncode}
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except TimeoutError:
            return None
        if not line:
            self._exited = True
            returncode = await self.proc.wait()
            await asyncio.gather(self._stderr_task, return_exceptions=True)
            return {"type": "exit", "returncode": returncode}
        try:
            message = json.loads(line)
        except json.JSONDecodeError:  # a stray print in a library: not ours, skip it
            return {"type": "noise"}
        if not isinstance(message, dict):
            return {"type": "noise"}
        self._finished = message.get("type") in ("done", "error")
        return message

    async def proceed(self) -> None:
        """Let the worker download (it waits after its `info` line)."""
        await self._write("go")

    async def stop(self, *, grace_s: float = 3.0) -> None:
        """SIGTERM the process group, SIGKILL it after `grace_s`; always reaps.

        A worker that reported its result gets a moment to exit by itself first.
        """
        try:
            if self._finished:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.proc.wait(), grace_s)
            self._signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), grace_s)
            except TimeoutError:
                pass
        finally:
            # Even when cancelled mid-wait: nothing of the group may survive.
            self._signal(signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.proc.wait(), 5)
        self._stderr_task.cancel()

    def _signal(self, sig: int) -> None:
        # The worker leads its own session: its pid is the group id, and the group
        # outlives it while an ffmpeg it started still runs.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    async def _write(self, line: str) -> None:
        if self.proc.stdin is None or self.proc.stdin.is_closing():
            return
        with contextlib.suppress(ConnectionError):
            self.proc.stdin.write(line.encode() + b"\n")
            await self.proc.stdin.drain()

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.stderr_tail.append(raw.decode(errors="replace").rstrip()[:500])


class WorkerPool:
    """Keeps one worker started ahead of need.

    Starting Python and importing yt-dlp takes about a second on a small machine, as
    long as a whole download of a short clip; a spare that did it in advance lets a job
    start at once. The spare is idle (blocked on stdin) and dies with the service.
    """

    def __init__(self, *, spare: bool = True) -> None:
        self._keep_spare = spare
        self._spare: asyncio.Task[Worker] | None = None
        self._closed = False

    def refill(self) -> None:
        if self._keep_spare and not self._closed and self._spare is None:
            self._spare = asyncio.create_task(Worker.spawn())

    async def take(self) -> Worker:
        """A worker for one job (the spare if it is alive, else a new one)."""
        spare, self._spare = self._spare, None
        self.refill()
        if spare is not None:
            with contextlib.suppress(OSError):
                worker = await spare
                if worker.alive:
                    return worker
                await worker.stop(grace_s=0)
        return await Worker.spawn()

    async def close(self) -> None:
        self._closed = True
        spare, self._spare = self._spare, None
        if spare is not None:
            with contextlib.suppress(OSError):
                await (await spare).stop(grace_s=0)
