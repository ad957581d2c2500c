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

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    async def start(cls, *, job: dict[str, Any]) -> Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", WORKER_MODULE,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True, limit=_LINE_LIMIT)
        worker = cls(proc)
        await worker._write(json.dumps(job))
        return worker

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
        return message if isinstance(message, dict) else {"type": "noise"}

    async def proceed(self) -> None:
        """Let the worker download (it waits after its `info` line)."""
        await self._write("go")

    async def stop(self, *, grace_s: float = 3.0) -> None:
        """SIGTERM the process group, SIGKILL it after `grace_s`; always reaps."""
        try:
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
