"""A running library service with the tools its tests need.

`rig` starts mf_library with the production runtime (migrations, relay, consumer,
HTTP, GC task) on free ports, plus a submitter that emits events as if from the
transcoder/downloader, an event watch, the internal HTTP client, and a second runtime
on the same schema (what `mf gc` would open) for gc_sweep and check_invariants.
Staged files are real copies of the ffmpeg-made fixtures, probed with real ffprobe.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from mf_contracts.envelope import Envelope
from mf_contracts.events import MediaDownloaded, MediaInfo, MediaTranscoded, Probe
from mf_contracts.internal_api import internal_client
from mf_contracts.service import Runtime
from mf_contracts.settings import Settings
from mf_contracts.storage import staging_dir
from mf_library.app import SPEC as LIBRARY
from mf_library.invariants import check_invariants
from mf_testkit.bus_rig import runtime, wait_until
from mf_testkit.pipeline import (
    EventWatch,
    Submitter,
    pipeline_settings,
    running,
    submitter,
    watching,
)

VIDEO = "h264_aac_mp4_faststart"


@cache
def probe_of(path: Path) -> Probe:
    """ffprobe's verdict, as the transcoder reports it in MediaTranscoded."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    streams = {s["codec_type"]: s for s in data["streams"]}
    video, audio = streams.get("video", {}), streams.get("audio", {})
    return Probe(container="mp4", video_codec=video.get("codec_name"),
                 video_profile=video.get("profile"), pix_fmt=video.get("pix_fmt"),
                 audio_codec=audio.get("codec_name"), audio_profile=audio.get("profile"),
                 width=video.get("width"), height=video.get("height"),
                 duration=float(data["format"]["duration"]), size=int(data["format"]["size"]),
                 faststart=True)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="session")
def probe():
    """`probe(path) -> Probe` (test modules cannot import conftest under importlib mode)."""
    return probe_of


@pytest.fixture(scope="session")
def library_media(media_files: dict[str, Path], tmp_path_factory) -> dict[str, Path]:
    """The fixtures plus an AAC-in-M4A audio file and a JPEG thumbnail (ffmpeg-made)."""
    out = tmp_path_factory.mktemp("library-media")
    m4a, jpg = out / "audio.m4a", out / "thumb.jpg"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(media_files["audio_only"]),
                    "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(m4a)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=160x90:duration=1", "-frames:v", "1", str(jpg)], check=True)
    return {**media_files, "audio_m4a": m4a, "thumb_jpg": jpg}


@dataclass
class LibraryRig:
    settings: Settings
    sub: Submitter
    watch: EventWatch
    rt: Runtime
    http: httpx.AsyncClient
    media: dict[str, Path]

    # -- staging and events ---------------------------------------------------------
    def stage(self, *, job: uuid.UUID, kind: str = VIDEO, extra: bytes = b"",
              name: str = "out.mp4") -> Path:
        """A copy of a fixture in the job's staging folder (`extra` makes new content)."""
        path = staging_dir(self.settings.media_root, job) / name
        shutil.copyfile(self.media[kind], path)
        if extra:
            with open(path, "ab") as f:
                f.write(extra)
        return path

    def content(self, *, kind: str = VIDEO, extra: bytes = b"") -> bytes:
        return self.media[kind].read_bytes() + extra

    def sha(self, *, kind: str = VIDEO, extra: bytes = b"") -> str:
        return sha256_of(self.content(kind=kind, extra=extra))

    async def add(self, *, user: uuid.UUID, job: uuid.UUID | None = None, kind: str = VIDEO,
                  extra: bytes = b"", title: str = "", thumb: bool = False,
                  probe: Probe | None = None, path: str | None = None) -> uuid.UUID:
        """Stage a file and send MediaTranscoded for it, as the transcoder would."""
        job = job or uuid.uuid4()
        staged = self.stage(job=job, kind=kind, extra=extra)
        thumb_path = None
        if thumb:
            thumb_path = str(staging_dir(self.settings.media_root, job) / "thumb.jpg")
            shutil.copyfile(self.media["thumb_jpg"], thumb_path)
        await self.sub.send(MediaTranscoded(
            path=path or str(staged), action="keep", probe=probe or probe_of(self.media[kind]),
            info=self.info(job, title=title, thumbnail_path=thumb_path)), job_id=job, user_id=user)
        return job

    async def link(self, *, user: uuid.UUID, sha256: str, job: uuid.UUID | None = None,
                   title: str = "") -> uuid.UUID:
        """MediaDownloaded with existing_sha256, as the downloader sends for a known source."""
        job = job or uuid.uuid4()
        await self.sub.send(MediaDownloaded(info=self.info(job, title=title),
                                            existing_sha256=sha256), job_id=job, user_id=user)
        return job

    @staticmethod
    def info(job: uuid.UUID, *, title: str = "", thumbnail_path: str | None = None) -> MediaInfo:
        return MediaInfo(title=title or f"clip {job.hex[:6]}", uploader="tester", duration=3.0,
                         source_url=f"http://127.0.0.1/files/{job}.mp4",
                         webpage_url=f"http://127.0.0.1/page/{job}", extractor="generic",
                         source_id=str(job), thumbnail_path=thumbnail_path)

    async def done(self, job: uuid.UUID, *, timeout: float = 30) -> Envelope:
        return await self.watch.wait_for(job, timeout=timeout)

    async def seen(self, *types: str, count: int, job: uuid.UUID | None = None,
                   timeout: float = 30) -> list[Envelope]:
        """Wait until `count` events of `types` (of `job`, or of any job) were seen."""
        def found() -> list[Envelope]:
            return [e for e in self.watch.events
                    if e.type in types and (job is None or e.correlation_id == job)]

        async def enough() -> bool:
            await self.watch.poll(block_ms=50)
            return len(found()) >= count
        await wait_until(enough, timeout=timeout, what=f"{count} x {types}")
        return found()

    async def added(self, job: uuid.UUID) -> Envelope:
        env = await self.done(job)
        assert env.type == "LibraryItemAdded", env.payload
        return env

    # -- the internal API and the state ---------------------------------------------
    async def delete(self, item_id: str, user: uuid.UUID) -> int:
        r = await self.http.delete(f"/internal/items/{item_id}", params={"user_id": str(user)})
        return r.status_code

    async def media_row(self, sha: str):
        return await self.rt.pool.fetchrow("SELECT * FROM media_files WHERE sha256 = $1", sha)

    async def count(self, sql: str, *args) -> int:
        return int(await self.rt.pool.fetchval(sql, *args))

    def object_files(self) -> list[Path]:
        objects = self.settings.media_root / "objects"
        return sorted(p for p in objects.rglob("*") if p.is_file()) if objects.exists() else []

    def staging_jobs(self) -> list[str]:
        staging = self.settings.media_root / "staging"
        return sorted(p.name for p in staging.iterdir()) if staging.exists() else []

    async def staging_cleaned(self, *jobs: uuid.UUID) -> None:
        """Staging goes right after the commit, so just after the event is announced."""
        async def gone() -> bool:
            return not set(map(str, jobs)) & set(self.staging_jobs())
        await wait_until(gone, timeout=10, what=f"staging of {jobs} removed")

    async def invariants(self, *, verify_hashes: bool = False) -> list[str]:
        return await check_invariants(self.rt, verify_hashes=verify_hashes)


@pytest_asyncio.fixture
async def rig(settings: Settings, library_media: dict[str, Path]):
    s = pipeline_settings(settings)
    async with running(s, [LIBRARY]), submitter(s) as sub, watching(s) as watch, \
            runtime(LIBRARY, s) as rt, internal_client(s, s.library_url) as http:
        yield LibraryRig(s, sub, watch, rt, http, library_media)
