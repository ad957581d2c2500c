"""Shared pieces of the transcoder's integration tests, handed out as the `kit` fixture.

Every check of a result here is independent of the service's own code: ffprobe is
run by the test, and where the moov box sits is read from ffprobe's own trace of
the top-level boxes, not with the service's box walker.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest
from mf_contracts.events import MediaDownloaded, MediaInfo
from mf_contracts.settings import Settings
from mf_contracts.storage import staging_dir
from mf_testkit.media import media_cache_dir
from mf_testkit.pipeline import Submitter
from mf_transcoder.app import SPEC

# A clip long enough to cancel or kill mid-transcode (~5 s of x264 veryfast on 2 cores).
LONG_CLIP_ARGS = (
    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=40",
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=40",
    "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
    "-b:v", "500k", "-c:a", "libopus", "-b:a", "64k")
_TRACE_BOX = re.compile(r"type:'(\w{4})' parent:'root'")


class Kit:
    @staticmethod
    def ffprobe(path: Path) -> dict:
        out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams",
                              "-of", "json", str(path)], check=True, capture_output=True)
        return json.loads(out.stdout)

    @staticmethod
    def top_level_boxes(path: Path) -> list[str]:
        """The root boxes in file order, as ffprobe's mov demuxer logs them at trace level."""
        out = subprocess.run(["ffprobe", "-v", "trace", str(path)], check=False,
                             capture_output=True, text=True)
        return _TRACE_BOX.findall(out.stderr)

    @staticmethod
    def audio_md5(path: Path) -> str:
        """MD5 of the first audio stream's packets: equal only if the audio was copied."""
        out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0",
                              "-c", "copy", "-f", "md5", "-"], check=True, capture_output=True)
        return out.stdout.decode().strip()

    @staticmethod
    def sha256(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @staticmethod
    def ffmpeg_pids(marker: str) -> list[int]:
        """Live ffmpeg processes whose command line mentions `marker` (a job's folder)."""
        pids = []
        for proc in Path("/proc").iterdir():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if (proc.name.isdigit() and state != "Z" and argv and argv[0].endswith(b"ffmpeg")
                    and any(marker.encode() in a for a in argv)):
                pids.append(int(proc.name))
        return pids

    @staticmethod
    def stage(settings: Settings, job_id: uuid.UUID, source: Path, name: str | None = None) -> Path:
        """Put a copy of `source` where the downloader leaves its files."""
        dest = staging_dir(settings.media_root, job_id) / (name or source.name)
        shutil.copyfile(source, dest)
        return dest

    @staticmethod
    async def send_downloaded(sub: Submitter, *, job_id: uuid.UUID, path: Path | str,
                              title: str = "a clip", **extra):
        info = MediaInfo(title=title, source_url=f"http://127.0.0.1/{title}",
                         extractor="generic", source_id=str(job_id))
        return await sub.send(MediaDownloaded(path=str(path), info=info, **extra),
                              job_id=job_id, user_id=uuid.uuid4())

    @staticmethod
    async def applied(settings: Settings, event_id: uuid.UUID) -> bool:
        """True once the transcoder has committed its handling of `event_id`."""
        return bool(await _query(settings, "SELECT 1 FROM {schema}.inbox WHERE event_id = $1",
                                 event_id))

    @staticmethod
    async def emitted(settings: Settings, job_id: uuid.UUID) -> list[str]:
        """Types of the events the transcoder logged for a job (its outbox is the truth)."""
        rows = await _query(settings, "SELECT type FROM {schema}.outbox WHERE correlation_id = $1"
                            " ORDER BY seq", job_id, many=True)
        return [r["type"] for r in rows]


async def _query(settings: Settings, sql: str, *args, many: bool = False):
    conn = await asyncpg.connect(settings.database_url)
    try:
        sql = sql.format(schema=SPEC.schema_in(settings))
        return await (conn.fetch(sql, *args) if many else conn.fetchval(sql, *args))
    finally:
        await conn.close()


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


@pytest.fixture(scope="session")
def long_clip() -> Path:
    """40 s of 640x360 VP9/Opus, made once and kept beside the shared test media."""
    digest = hashlib.sha256(json.dumps(LONG_CLIP_ARGS).encode()).hexdigest()[:10]
    path = media_cache_dir().parent / f"transcoder-long-{digest}.webm"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part.webm")
        subprocess.run(["ffmpeg", "-v", "error", "-y", *LONG_CLIP_ARGS, str(tmp)], check=True)
        os.replace(tmp, path)
    return path
