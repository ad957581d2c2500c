"""ffprobe, and the top-level MP4 boxes: what is in a file, read without decoding it.

Downloaded files are untrusted input: ffprobe may only open local files
(`-protocol_whitelist file`), so a playlist cannot make it fetch URLs, and the
path is passed as `file:<path>` so a name with a colon is never taken for a protocol.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import struct
from pathlib import Path
from typing import Any

PROBE_TIMEOUT_S = 120.0
_MAX_BOXES = 100_000


class ProbeFailed(Exception):
    """ffprobe could not read the file; `stderr` holds what it said."""

    def __init__(self, stderr: str) -> None:
        super().__init__(stderr)
        self.stderr = stderr


async def ffprobe_json(path: Path, *, timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """`ffprobe -show_format -show_streams` as a dict; ProbeFailed if it cannot read it.

    A missing ffprobe binary raises FileNotFoundError: that is the installation's
    fault, not the file's, so it is left to the bus to retry.
    """
    proc = await asyncio.create_subprocess_exec(
        "ffprobe", "-v", "error", "-protocol_whitelist", "file", "-show_format",
        "-show_streams", "-of", "json", f"file:{path}",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, start_new_session=True)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        raise ProbeFailed(f"reading it took longer than {timeout:.0f} s") from None
    finally:
        if proc.returncode is None:  # timed out or cancelled: never leave it running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
    if proc.returncode != 0:
        raise ProbeFailed(err.decode(errors="replace"))
    try:
        data = json.loads(out)
    except ValueError:
        raise ProbeFailed("ffprobe gave no readable answer") from None
    if not isinstance(data, dict):
        raise ProbeFailed("ffprobe gave no readable answer")
    return data


def moov_before_mdat(path: Path) -> bool | None:
    """Walk the top-level boxes: True if `moov` precedes `mdat`, False if it follows it,
    None if there is no `moov` (or the box sizes do not add up).

    Only box headers are read (8 or 16 bytes each, then a seek), so this costs a few
    reads whatever the file's size.
    """
    with open(path, "rb") as fh:
        total = os.fstat(fh.fileno()).st_size
        offset, seen_mdat = 0, False
        for _ in range(_MAX_BOXES):
            if offset + 8 > total:
                return None
            fh.seek(offset)
            header = fh.read(16)
            size, kind = struct.unpack(">I4s", header[:8])
            if size == 1 and len(header) == 16:    # 64-bit "largesize" follows the type
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:                        # the box runs to the end of the file
                size = total - offset
            if size < 8:
                return None
            if kind == b"moov":
                return not seen_mdat
            seen_mdat = seen_mdat or kind == b"mdat"
            offset += size
    return None
