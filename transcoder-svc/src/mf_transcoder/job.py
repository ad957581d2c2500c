"""One transcode job: probe, decide, convert, check the result.

Decisions come from `domain`; files and processes are touched through `adapters`.
The job never touches the bus: it returns an outcome and the handler commits it.
ffmpeg writes a hidden temporary name (`.<name>.part`) that is renamed into place
only after the result has been probed and found to be what the plan promised, so a
crash or a kill leaves at worst a temporary file that the next attempt overwrites.
"""
from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from mf_contracts.logging import get_logger
from mf_contracts.storage import fsync_dir

from . import domain
from .adapters.ffmpeg import build_args, run_ffmpeg
from .adapters.ffprobe import ProbeFailed, ffprobe_json, moov_before_mdat
from .probe import MediaProbe, is_mov_family, parse_probe

log = get_logger(__name__)
PROGRESS_INTERVAL_S = 0.25


@dataclass(frozen=True)
class Transcoded:
    path: Path
    action: domain.Action
    result: MediaProbe
    source: MediaProbe


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Cancelled:
    pass


Outcome = Transcoded | Failed | Cancelled


@dataclass(frozen=True)
class JobIO:
    """What a job needs from its surroundings; the handler supplies it."""

    preset: str
    crf: int
    is_cancelled: Callable[[], Awaitable[bool]]
    report: Callable[[float], Awaitable[None]]  # percent done, already throttled


async def probe_media(path: Path) -> MediaProbe:
    """ffprobe plus, for MP4-family files, where the moov box sits. Raises ProbeFailed."""
    data = await ffprobe_json(path)
    format_name = str((data.get("format") or {}).get("format_name") or "")
    moov_first = await asyncio.to_thread(moov_before_mdat, path) if is_mov_family(format_name) else None
    return parse_probe(data, moov_first=moov_first)


async def transcode(*, source: Path, staging: Path, io: JobIO) -> Outcome:
    if not source.is_file():
        return Failed("The downloaded file is missing from staging")
    try:
        probe = await probe_media(source)
    except ProbeFailed as exc:
        return Failed(domain.unreadable_reason(domain.error_detail(exc.stderr, paths=(str(source),))))
    plan = domain.decide(probe)
    if isinstance(plan, domain.Refusal):
        return Failed(plan.reason)
    log.info("transcode plan", action=plan.action, video=plan.video, audio=plan.audio,
             why=list(plan.why), container=probe.container)
    if plan.action == "keep":
        return Transcoded(source, "keep", probe, probe)
    return await _convert(source=source, staging=staging, probe=probe, plan=plan, io=io)


async def _convert(*, source: Path, staging: Path, probe: MediaProbe, plan: domain.Plan,
                   io: JobIO) -> Outcome:
    output = staging / domain.output_name(source_stem=source.stem, audio_only=plan.audio_only)
    partial = output.with_name(f".{output.name}.part")
    partial.unlink(missing_ok=True)  # a previous attempt's leftovers are never trusted
    args = build_args(source=source, output=partial, plan=plan, preset=io.preset, crf=io.crf)
    try:
        started = time.monotonic()
        run = await run_ffmpeg(args, on_progress=_progress_sink(probe.duration, io.report),
                               should_stop=io.is_cancelled)
        elapsed = time.monotonic() - started
        if run.stopped:
            return Cancelled()
        write_error = domain.output_write_error(run.stderr)
        if run.returncode != 0 or write_error:
            detail = domain.error_detail(write_error or run.stderr,
                                         paths=(str(source), str(partial)))
            return Failed(domain.ffmpeg_failure_reason(detail))
        checked = await _check(partial, plan=plan, source=probe)
        if isinstance(checked, Failed):
            return checked
        await asyncio.to_thread(_durable_rename, partial, output)
    finally:
        partial.unlink(missing_ok=True)
    # Speed is media seconds per wall second of ffmpeg alone (the checks not included).
    log.info("transcoded", action=plan.action, ffmpeg_s=round(elapsed, 3),
             speed=round((probe.duration or 0) / elapsed, 1) if elapsed else None)
    return Transcoded(output, plan.action, checked, probe)


async def _check(path: Path, *, plan: domain.Plan, source: MediaProbe) -> MediaProbe | Failed:
    """Probe ffmpeg's output and hold it to the plan: an exit code of 0 is not proof."""
    try:
        result = await probe_media(path)
    except ProbeFailed as exc:
        detail = domain.error_detail(exc.stderr, paths=(str(path),))
        return Failed(domain.unplayable_result_reason(f"ffprobe cannot read it ({detail})"))
    problem = domain.verify(plan, source=source, result=result)
    return Failed(domain.unplayable_result_reason(problem)) if problem else result


def _progress_sink(duration: float | None,
                   report: Callable[[float], Awaitable[None]]) -> Callable[[str], Awaitable[None]]:
    throttle = domain.Throttle(interval=PROGRESS_INTERVAL_S)

    async def sink(line: str) -> None:
        percent = domain.progress_percent(line, duration=duration)
        if percent is not None and throttle.ready(time.monotonic(), final=percent >= 100):
            await report(percent)
    return sink


def _durable_rename(partial: Path, output: Path) -> None:
    """The data on disk before the name: the library may hash and store it at once."""
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, output)
    fsync_dir(output.parent)
