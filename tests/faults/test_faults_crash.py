"""Crashes: kill -9 each service mid-job, drop Redis, flush it and replay, cut Postgres.

One stack of real processes serves the whole module (starting five services costs
seconds), and the tests run in file order against it; each one heals the stack first
(restarts whatever is dead). After every fault the audit says: every job of the stack
so far finished exactly once (one LibraryItemAdded or one failure in the outboxes), the
library's rows, reference counts and files agree (hashes checked), nothing orphaned,
staging empty.

What is shared with other runs on this machine is never touched: Redis connections are
dropped by id, only those on this run's own DB index; Postgres backends are terminated
only in this run's own database.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from mf_testkit.procstack import accepted

pytestmark = pytest.mark.asyncio(loop_scope="session")

SLOW_BPS = 60_000  # a 228 KB clip takes ~4 s: long enough to kill mid-download


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def shared(rig):
    async with rig.stack(download_concurrency=2, transcode_concurrency=1) as stack:
        stack.people = await stack.users(2)
        yield stack


@pytest_asyncio.fixture(loop_scope="session")
async def stack(shared):
    """The module's stack with every service alive (a failed test may have left one dead)."""
    for name in shared.names:
        if not shared.alive(name):
            await shared.restart(name)
    return shared


async def settle_and_audit(stack, rig, *, timeout: float = 90) -> dict[str, dict]:
    """Wait for every job of the stack to end, then audit everything."""
    ids = {j: u for u in stack.people for j in await stack.jobs_of(u)}
    jobs = await stack.wait_jobs(ids, timeout=timeout)
    report = await rig.audit.check(stack.settings, jobs)
    assert report.problems == [], report.problems
    return jobs


def processes_using(path: Path) -> list[int]:
    """Live processes with an open file, cwd or argument under `path`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            argv = (proc / "cmdline").read_bytes()
            targets = [os.readlink(fd) for fd in (proc / "fd").iterdir()]
        except OSError:
            continue
        if state != "Z" and (str(path).encode() in argv
                             or any(t.startswith(str(path)) for t in targets)):
            found.append(int(proc.name))
    return found


async def wait_gone(path: Path, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (left := processes_using(path)) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not left, f"processes still working in {path}: {left}"


# -- kill -9 of each service mid-job -----------------------------------------------------
async def test_downloader_killed_mid_download(stack, rig, fault_server, figures):
    user = stack.people[0]
    slow = fault_server.url(f"/slow/files/v/clip01.mp4?bps={SLOW_BPS}&run={uuid.uuid4().hex}")
    job = (await stack.submit(user, slow)).json()["id"]
    others = accepted([await stack.submit(user, fault_server.url(f"/files/v/clip0{n}.mp4?c=d"))
                       for n in (2, 3)])
    await stack.wait_job(user, job, lambda j: (j["progress"] or 0) > 0, timeout=60,
                         what="showed download progress")
    staging = stack.settings.media_root / "staging" / job
    assert processes_using(staging), "no download worker is writing the job's staging folder"
    stack.kill("downloader")
    await wait_gone(staging)  # the orphaned yt-dlp worker killed its own process group
    await stack.restart("downloader")
    done = await stack.wait_job(user, job, lambda j: j["status"] in ("done", "failed"),
                                timeout=90, what="finished")
    assert done["status"] == "done", done
    assert await rig.audit.outbox_types(stack.settings, "downloader", job) == \
        ["DownloadStarted", "MediaDownloaded"]
    assert fault_server.hits(slow.removeprefix(fault_server.base_url)) >= 2  # fetched again
    jobs = await settle_and_audit(stack, rig)
    assert all(jobs[o]["status"] == "done" for o in others)
    figures(f"downloader kill -9 mid-download: its yt-dlp worker "
            f"group died with it, job re-downloaded once and done; {len(jobs)} jobs audited")


async def test_transcoder_killed_mid_ffmpeg(stack, rig, fault_server, figures):
    user = stack.people[1]
    job = (await stack.submit(user, fault_server.url("/files/long_vp9.webm?k=kill"))).json()["id"]
    staging = stack.settings.media_root / "staging" / job
    deadline = time.monotonic() + 90
    while not [p for p in processes_using(staging) if _is_ffmpeg(p)]:
        assert time.monotonic() < deadline, "ffmpeg never started on the job"
        await asyncio.sleep(0.1)
    await stack.wait_job(user, job,
                         lambda j: j["stage"] == "transcode" and (j["progress"] or 0) > 3,
                         timeout=30, what="showed transcode progress")
    assert [p for p in processes_using(staging) if _is_ffmpeg(p)], "ffmpeg already finished"
    stack.kill("transcoder")  # mid-encode
    await wait_gone(staging)  # ffmpeg runs under pdeathsig: it died with the service
    assert any(p.suffix == ".webm" for p in staging.iterdir()), "the input must survive"
    await stack.restart("transcoder")
    done = await stack.wait_job(user, job, lambda j: j["status"] in ("done", "failed"),
                                timeout=120, what="finished")
    assert done["status"] == "done" and done["action"] == "transcode", done
    assert await rig.audit.outbox_types(stack.settings, "transcoder", job) == ["MediaTranscoded"]
    jobs = await settle_and_audit(stack, rig)
    figures(f"transcoder kill -9 mid-ffmpeg (30 s VP9): ffmpeg died with it (pdeathsig), input "
            f"kept, transcoded again exactly once; {len(jobs)} jobs audited")


def _is_ffmpeg(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"ffmpeg")
    except OSError:
        return False


class SSE:
    """Reads one event stream across several waits (one line iterator for its life)."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.current: dict[str, str] = {}
        self.events: list[dict] = []

    async def until(self, done, *, timeout: float = 60) -> list[dict]:
        """Read until `done(events so far)`; raises on timeout or a broken stream."""
        async def run() -> None:
            async for line in self.lines:
                if line == "":
                    if "data" in self.current:
                        self.events.append({**self.current,
                                            "data": json.loads(self.current["data"])})
                        if done(self.events):
                            return
                    self.current = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    self.current[name] = value
            raise httpx.RemoteProtocolError("the event stream ended")

        await asyncio.wait_for(run(), timeout)
        return self.events


async def test_gateway_killed_while_a_client_streams_events(stack, rig, fault_server, figures):
    user = stack.people[0]
    slow = fault_server.url(f"/slow/files/v/clip04.mp4?bps={SLOW_BPS}&run=sse")
    seen: list[dict] = []
    job = None

    def downloading(events: list[dict]) -> bool:
        return any(e["event"] == "job" and e["data"]["id"] == job
                   and e["data"]["status"] == "downloading" for e in events)

    async with stack.client(user.token) as c, c.stream("GET", "/api/events") as stream:
        assert stream.status_code == 200
        job = (await stack.submit(user, slow)).json()["id"]
        sse = SSE(stream)
        seen = list(await sse.until(downloading))
        stack.kill("gateway")
        with pytest.raises((httpx.HTTPError, TimeoutError)):  # the stream is cut
            await sse.until(lambda ev: False, timeout=10)
    last_id = seen[-1]["id"]
    await stack.restart("gateway")

    def finished(events: list[dict]) -> bool:
        return any(e["event"] == "job" and e["data"]["id"] == job
                   and e["data"]["status"] == "done" for e in events)

    async with stack.client(user.token) as c, \
            c.stream("GET", "/api/events", headers={"last-event-id": last_id}) as stream:
        assert stream.status_code == 200
        resumed = await SSE(stream).until(finished, timeout=90)
    assert all(_sse_id(e["id"]) > _sse_id(last_id) for e in resumed)  # nothing seen twice
    assert any(e["event"] == "library" and e["data"]["type"] == "LibraryItemAdded"
               for e in resumed)
    jobs = await settle_and_audit(stack, rig)
    figures(f"gateway kill -9 during SSE: reconnect with Last-Event-ID got {len(resumed)} missed "
            f"events incl. the completion, none repeated; {len(jobs)} jobs audited")


def _sse_id(value: str) -> tuple[int, int]:
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


async def test_library_killed_in_a_storm_of_adds_and_deletes_then_gc(stack, rig, fault_server,
                                                                    figures):
    """Deletes and adds of the same contents race while the library dies; whatever
    window the kill hit (between a commit and its rename or unlink included), `mf gc`
    and the redelivered events leave rows, counts and files in agreement."""
    user = stack.people[1]
    clips = [f"/files/v/clip{n:02d}.mp4" for n in range(8, 14)]
    ids = accepted(await stack.burst([(user, fault_server.url(f"{c}?storm=1")) for c in clips]))
    jobs = await stack.wait_jobs({j: user for j in ids}, timeout=90)
    items = [jobs[j]["item_id"] for j in ids]
    assert all(items), jobs

    async def delete(item_id: str) -> int:
        async with stack.client(user.token) as c:
            try:
                return (await c.delete(f"/api/library/{item_id}")).status_code
            except httpx.HTTPError:
                return 0

    # The same contents come again under new URLs; once they reach the library, every
    # item is deleted at once (each the last reference to its file) and the library is
    # killed as the first delete is answered: the others are mid-way.
    again = accepted(await stack.burst([(user, fault_server.url(f"{c}?storm=2")) for c in clips]))
    deadline = time.monotonic() + 60
    while not any(j["status"] in ("storing", "done") for j in
                  (await stack.jobs_of(user)).values() if j["id"] in again):
        assert time.monotonic() < deadline, "the second wave never reached the library"
        await asyncio.sleep(0.1)
    storm = [asyncio.create_task(delete(i)) for i in items]
    await asyncio.wait(storm, return_when=asyncio.FIRST_COMPLETED)
    stack.kill("library")
    statuses = await asyncio.gather(*storm)
    left_by_crash = await rig.audit.invariants(stack.settings)
    gc = rig.cli(stack.settings, "gc").stdout  # `mf gc` while the library is down
    assert await rig.audit.invariants(stack.settings) == [], gc
    await stack.restart("library")
    for item_id, status in zip(items, statuses, strict=True):
        if status != 204:  # cut off by the crash: the user tries again
            assert await delete(item_id) in (204, 404)
    await stack.wait_jobs({j: user for j in again}, timeout=90)
    await settle_and_audit(stack, rig)
    after = rig.cli(stack.settings, "gc").stdout
    assert "orphans_removed: 0" in after and "missing_marked: 0" in after, after
    gc_line = " ".join(f"{k}={v}" for k, v in re.findall(r"(\w+): (\d+)", gc))
    figures(f"library kill -9 in a storm of {len(items)} deletes + {len(again)} adds of the same "
            f"contents: deletes answered {sorted(statuses)} (503: cut by the kill, retried); "
            f"left by the crash: {len(left_by_crash)} object file(s) without a row "
            f"(the commit-to-unlink window); `mf gc` then: {gc_line}")
    for problem in left_by_crash:  # a crash may orphan a file, never lose one
        assert "file without a row" in problem, left_by_crash


# -- Redis ---------------------------------------------------------------------------------
def _db_index(url: str) -> int:
    return int(url.rsplit("/", 1)[1] or 0)


async def test_every_redis_connection_dropped_mid_pipeline(stack, rig, fault_server, figures):
    """`CLIENT KILL` of every connection on this run's DB index, 3 times, while jobs run:
    what a Redis restart does to the clients (the data stays, here)."""
    user = stack.people[0]
    urls = [f"/slow/files/v/clip05.mp4?bps={SLOW_BPS}&run=redis",
            "/files/v/clip06.mp4?r=1", "/files/vp9_opus_webm.webm?r=1", "/files/v/clip07.mp4?r=1"]
    ids = accepted(await stack.burst([(user, fault_server.url(u)) for u in urls]))
    await stack.wait_job(user, ids[0], lambda j: j["status"] == "downloading", timeout=60,
                         what="started downloading")
    admin = aioredis.Redis.from_url(stack.settings.redis_url)
    try:
        killed = 0
        for _ in range(3):
            me = await admin.client_id()
            mine = [c for c in await admin.client_list()
                    if int(c["db"]) == _db_index(stack.settings.redis_url) and int(c["id"]) != me]
            for client in mine:
                killed += await admin.execute_command("CLIENT", "KILL", "ID", client["id"])
            await asyncio.sleep(0.5)
    finally:
        await admin.aclose()
    assert killed >= 5  # every service held at least one
    jobs = await stack.wait_jobs({j: user for j in ids}, timeout=90)
    assert [jobs[j]["status"] for j in ids] == ["done"] * 4, jobs
    assert all(stack.alive(n) for n in stack.names), stack.tails()
    audited = await settle_and_audit(stack, rig)
    figures(f"Redis: {killed} connections of this run's DB dropped (CLIENT KILL, 3 times) "
            f"mid-pipeline: 4/4 jobs done, no service died; {len(audited)} jobs audited")


async def test_flushdb_mid_pipeline_then_replay_republish(stack, rig, fault_server, figures):
    """Redis loses everything (FLUSHDB of this run's DB index) while jobs are in flight;
    `mf replay republish` brings back what the outboxes logged: jobs that were running
    finish, finished ones stay exactly as they were."""
    user = stack.people[1]
    quick = [f"/files/v/clip{n}.mp4?flush=1" for n in (20, 21)]
    ids = accepted(await stack.burst([(user, fault_server.url(u)) for u in quick]))
    await stack.wait_jobs({j: user for j in ids}, timeout=60)
    before = await stack.all_jobs(stack.people)
    items_before = await _items(rig, stack)
    running = [f"/slow/files/v/clip22.mp4?bps={SLOW_BPS}&flush=2", "/files/v/clip23.mp4?flush=2",
               "/files/h264_aac_mkv.mkv?flush=2"]
    mid = accepted(await stack.burst([(user, fault_server.url(u)) for u in running]))
    await stack.wait_job(user, mid[0], lambda j: j["status"] == "downloading", timeout=60,
                         what="started downloading")
    flusher = aioredis.Redis.from_url(stack.settings.redis_url)
    try:
        await flusher.flushdb()
    finally:
        await flusher.aclose()
    await asyncio.sleep(2)  # consumers notice, recreate their groups on empty streams
    out = rig.cli(stack.settings, "replay", "republish").stdout
    assert "events republished" in out, out
    jobs = await stack.wait_jobs({j: user for j in mid}, timeout=120)
    assert [jobs[j]["status"] for j in mid] == ["done"] * 3, jobs
    after = await stack.all_jobs(stack.people)
    for job_id, view in before.items():  # finished jobs untouched by the replay
        assert after[job_id] == view, (job_id, view, after[job_id])
    items_after = await _items(rig, stack)
    assert {k: v for k, v in items_after.items() if k in items_before} == items_before
    await settle_and_audit(stack, rig)
    again = rig.cli(stack.settings, "replay", "republish").stdout  # safe to repeat
    assert "events republished" in again
    await asyncio.sleep(2)
    assert await stack.all_jobs(stack.people) == after
    audited = await settle_and_audit(stack, rig)
    republished = sum(int(w) for w in re.findall(r": (\d+) events republished", out))
    figures(f"Redis FLUSHDB with 3 jobs in flight, then `mf replay republish` ({republished} "
            f"events): 3/3 finished, {len(before)} finished jobs unchanged, a second republish "
            f"changed nothing; {len(audited)} jobs audited")


async def _items(rig, stack) -> dict[str, tuple]:
    rows = await rig.audit.fetch(stack.settings, "SELECT id, job_id, sha256, created_at FROM "
                                 f"{rig.audit.schema(stack.settings, 'library')}.library_items")
    return {str(r["id"]): (str(r["job_id"]), r["sha256"], r["created_at"]) for r in rows}


# -- Postgres ------------------------------------------------------------------------------
async def test_every_postgres_backend_terminated_mid_pipeline(stack, rig, fault_server,
                                                            figures):
    """The database drops every connection of this run's database (what a Postgres
    restart does to clients), 5 times, while downloads, a transcode and stores run."""
    user = stack.people[0]
    urls = [f"/slow/files/v/clip00.mp4?bps={SLOW_BPS}&pg=1", "/files/v/clip02.mp4?pg=1",
            "/files/h264_aac_mkv.mkv?pg=1", "/files/long_vp9.webm?pg=1", "/status/404?pg=1"]
    ids = accepted(await stack.burst([(user, fault_server.url(u)) for u in urls]))
    await stack.wait_job(user, ids[0], lambda j: j["status"] == "downloading", timeout=60,
                         what="started downloading")
    terminated = 0
    conn = await asyncpg.connect(stack.settings.database_url)
    try:
        for _ in range(5):  # while progress is written, files stored, events relayed
            terminated += await conn.fetchval(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()) t")
            await asyncio.sleep(0.4)
    finally:
        await conn.close()
    assert terminated >= 10
    jobs = await stack.wait_jobs({j: user for j in ids}, timeout=120)
    assert [jobs[j]["status"] for j in ids] == ["done"] * 4 + ["failed"], jobs
    assert all(stack.alive(n) for n in stack.names), stack.tails()
    audited = await settle_and_audit(stack, rig)
    figures(f"Postgres: {terminated} backends of this run's database terminated (5 times) "
            f"mid-pipeline: 4 done + 1 failed (404) as expected, exactly once, no service died; "
            f"{len(audited)} jobs audited")
