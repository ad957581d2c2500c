"""ffmpeg: the argument list for a plan (pure), and running it so it can always be killed.

ffmpeg runs in its own process group (`start_new_session`), so cancelling kills it
and anything it started with one `killpg`. Under `setpriv --pdeathsig KILL` it also
dies with this service: after a `kill -9` of the service no orphan keeps writing the
file that the redelivered job is about to write again.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from ..domain import Plan

AUDIO_BITRATE = "160k"
# ffmpeg can echo a long metadata value in an error line; a longer one is not a line.
_LINE_LIMIT = 1 << 20
_ORPHAN_GUARD = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []


def build_args(*, source: Path, output: Path, plan: Plan, preset: str, crf: int) -> list[str]:
    """The full ffmpeg command for `plan`: only the chosen video and audio streams are
    mapped (by index, so cover art and subtitle/data tracks never reach the MP4)."""
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-nostats",
            "-progress", "pipe:1", "-y", "-protocol_whitelist", "file", "-i", f"file:{source}"]
    if plan.video:
        args += ["-map", f"0:{plan.video_index}", *_video_args(plan, preset=preset, crf=crf)]
    if plan.audio:
        args += ["-map", f"0:{plan.audio_index}", *_audio_args(plan)]
    return [*args, "-map_metadata", "0", "-movflags", "+faststart",
            "-max_muxing_queue_size", "4096", "-f", "mp4", f"file:{output}"]


def _video_args(plan: Plan, *, preset: str, crf: int) -> list[str]:
    if plan.video == "copy":
        # Stream copy keeps the display matrix, so rotated phone clips stay upright.
        return ["-c:v", "copy"]
    args = ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
            "-profile:v", "high"]
    if plan.level:
        args += ["-level:v", plan.level]
    if plan.scale_to:
        args += ["-vf", f"scale={plan.scale_to[0]}:{plan.scale_to[1]}"]
    if plan.max_fps:
        args += ["-fpsmax", str(plan.max_fps)]
    return args


def _audio_args(plan: Plan) -> list[str]:
    if plan.audio == "copy":
        return ["-c:a", "copy", *(["-bsf:a", "aac_adtstoasc"] if plan.adts_to_asc else [])]
    return ["-c:a", "aac", "-b:a", AUDIO_BITRATE]


@dataclass(frozen=True)
class FfmpegRun:
    returncode: int
    stderr: str
    stopped: bool  # killed because should_stop said so


async def run_ffmpeg(args: list[str], *, on_progress: Callable[[str], Awaitable[None]],
                     should_stop: Callable[[], Awaitable[bool]],
                     poll_s: float = 0.5) -> FfmpegRun:
    """Run ffmpeg, feeding each `-progress` line to `on_progress` and asking
    `should_stop` every `poll_s`; whatever happens (cancel included), the process
    group is dead when this returns or raises."""
    proc = await asyncio.create_subprocess_exec(
        *_ORPHAN_GUARD, *args, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
        limit=_LINE_LIMIT)
    errors: deque[str] = deque(maxlen=40)
    readers = [asyncio.create_task(_lines(proc.stdout, on_progress)),
               asyncio.create_task(_lines(proc.stderr, _append_to(errors)))]
    try:
        stopped = await _wait_or_stop(proc, should_stop=should_stop, poll_s=poll_s)
        await asyncio.gather(*readers)
    finally:
        if proc.returncode is None:
            _kill_group(proc.pid)
            await proc.wait()
        for task in readers:
            task.cancel()
    return FfmpegRun(returncode=proc.returncode, stderr="\n".join(errors), stopped=stopped)


async def _wait_or_stop(proc: asyncio.subprocess.Process, *,
                        should_stop: Callable[[], Awaitable[bool]], poll_s: float) -> bool:
    exited = asyncio.ensure_future(proc.wait())
    try:
        while not (await asyncio.wait({exited}, timeout=poll_s))[0]:
            if await should_stop():
                _kill_group(proc.pid)
                await exited
                return True
        return False
    finally:
        exited.cancel()


async def _lines(stream: asyncio.StreamReader | None,
                 sink: Callable[[str], Awaitable[None]]) -> None:
    if stream is None:
        return
    async for raw in stream:
        await sink(raw.decode(errors="replace").rstrip("\n"))


def _append_to(lines: deque[str]) -> Callable[[str], Awaitable[None]]:
    async def sink(line: str) -> None:
        lines.append(line)
    return sink


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


async def ffmpeg_version() -> str:
    """First line of `ffmpeg -version`, for /healthz."""
    proc = await asyncio.create_subprocess_exec(
        "ffmpeg", "-version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await proc.communicate()
    return out.decode(errors="replace").split("\n", 1)[0].strip()
