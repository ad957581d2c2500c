"""The fault suite's rig: the stack as real processes, media made to break things, audits.

Under `--import-mode=importlib` a conftest cannot be imported by the test modules, so
everything here is handed out as fixtures:

- `fault_media` / `fault_server`: ffmpeg-made files only this suite needs (distinct
  browser-ready variants, a long VP9 clip, a 16K-frame bomb, a 13-hour clip, a WebM
  whose container lies about its length) behind their own MediaServer on 127.0.0.1.
- `rig.stack(**overrides)`: every service except feeds as its own process
  (`python -m mf_<name>`, exactly as deployed) with fresh prefixes, ports and media
  root, logs in per-service files, `kill(name)` (SIGKILL) and `restart(name)` (the
  same command, the same environment). `rig` is session-scoped, so module-scoped
  fixtures can share one stack across several tests.
- `rig.audit`: after a storm, the checks that say nothing was lost and nothing
  doubled: one terminal event per job across every outbox, the library's invariants
  (check_invariants, hashes verified), every object on disk named and owned by a row,
  staging empty. `rig.cli(settings, "gc")` runs `mf` as an operator would.
- `figures(line)`: measured figures, printed in the run's closing summary (with each
  module's wall time and CPU).

Timings are shortened (claims, heartbeats) so a killed service's work is taken over in
seconds, and every wait in the suite is bounded.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import asyncpg
import httpx
import pytest
from mf_contracts.cli.main import load_services
from mf_contracts.settings import Settings
from mf_testkit.httpserver import MediaServer
from mf_testkit.infra import settings_env
from mf_testkit.media import media_cache_dir
from mf_testkit.pipeline import PORT_FIELDS, pipeline_settings

# feeds is being built by someone else right now: this suite never starts it.
SERVICES = ("vault", "library", "transcoder", "downloader", "gateway")
TERMINAL_STATUSES = {"done", "failed", "cancelled"}
# Per schema: the event types that end a job there (EventDeadLettered: any schema).
TERMINAL_EVENTS = {"library": ("LibraryItemAdded", "StoreFailed"),
                   "downloader": ("DownloadFailed",), "transcoder": ("TranscodeFailed",)}
PASSWORD = "correct horse battery"
MEDIA_RECIPE = "faults-v3"


# -- media ---------------------------------------------------------------------------
def _ffmpeg(*args: str) -> None:
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {done.stderr[-2000:]}")


def _lying_webm(src: Path, dst: Path, *, seconds: float) -> None:
    """Copy a WebM and rewrite its Segment Info Duration (EBML id 0x4489, in ms with the
    default TimecodeScale) to `seconds`: the container claims hours, the frames are 3 s."""
    data = bytearray(src.read_bytes())
    pos = data.find(b"\x44\x89")
    assert pos > 0, "no Duration element in the WebM"
    size_byte = data[pos + 2]
    if size_byte == 0x88:
        data[pos + 3:pos + 11] = struct.pack(">d", seconds * 1000)
    elif size_byte == 0x84:
        data[pos + 3:pos + 7] = struct.pack(">f", seconds * 1000)
    else:
        raise AssertionError(f"unexpected Duration size byte {size_byte:#x}")
    dst.write_bytes(bytes(data))


def _make_media(dest: Path, base: dict[str, Path]) -> None:
    """Everything this suite serves, in `dest` (skipped when already there)."""
    for kind in ("h264_aac_mp4_faststart", "vp9_opus_webm", "h264_aac_mkv", "truncated"):
        target = dest / base[kind].name
        if not target.exists():
            shutil.copyfile(base[kind], target)
    variants = dest / "v"
    variants.mkdir(exist_ok=True)
    for n in range(24):  # distinct bytes, same browser-ready streams: the transcoder keeps them
        out = variants / f"clip{n:02d}.mp4"
        if not out.exists():
            _ffmpeg("-i", str(base["h264_aac_mp4_faststart"]), "-map", "0", "-c", "copy",
                    "-map_metadata", "-1", "-metadata", f"comment=fault variant {n}",
                    "-movflags", "+faststart", str(out))
    recipes = {
        # ~6 s of x264 on 2 cores: long enough to kill the transcoder mid-ffmpeg.
        "long_vp9.webm": ("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=30",
                          "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=30",
                          "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                          "-row-mt", "1", "-b:v", "400k", "-c:a", "libopus", "-b:a", "48k"),
        # 400 KB that decode to 16K (15360x8640) frames: a decompression bomb.
        "bomb_16k.mp4": ("-f", "lavfi", "-i", "color=c=black:s=15360x8640:r=25:d=0.04",
                         "-frames:v", "1", "-c:v", "libx264", "-preset", "ultrafast",
                         "-pix_fmt", "yuv420p", "-movflags", "+faststart"),
        # 13 hours for real, at one frame per ten minutes: 2.5 KB.
        "long_13h.mp4": ("-f", "lavfi", "-i", "color=c=blue:s=64x64:r=1/600:d=46800",
                         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                         "-movflags", "+faststart"),
    }
    for name, args in recipes.items():
        out = dest / name
        if not out.exists():
            tmp = out.with_name(f".part-{os.getpid()}-{name}")
            _ffmpeg(*args, str(tmp))
            os.replace(tmp, out)
    lying = dest / "claims_10h.webm"
    if not lying.exists():
        _lying_webm(base["vp9_opus_webm"], lying, seconds=10 * 3600)


@pytest.fixture(scope="session")
def fault_media(media_files: dict[str, Path]) -> Path:
    """The folder of this suite's media (cached next to the testkit's own)."""
    dest = media_cache_dir().parent / MEDIA_RECIPE
    dest.mkdir(parents=True, exist_ok=True)
    _make_media(dest, media_files)
    return dest


@pytest.fixture
def fault_server(fault_media: Path):
    """A MediaServer over `fault_media`, fresh per test (its own routes and request log)."""
    with MediaServer(fault_media) as server:
        yield server


# -- the stack as processes -----------------------------------------------------------
class ProcStack:
    """Each service as `python -m mf_<name>` with this test's settings in its environment."""

    def __init__(self, settings: Settings, logdir: Path, names: tuple[str, ...]) -> None:
        self.settings = settings
        self.env = settings_env(settings)
        self.logdir = logdir
        self.names = names
        self.specs = load_services()
        self.procs: dict[str, subprocess.Popen] = {}
        self.kills: list[str] = []
        self._poller: httpx.AsyncClient | None = None  # reused: a client costs an SSL context

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def client(self, token: str | None = None, **kw) -> httpx.AsyncClient:
        """A client of the gateway. Plain HTTP on loopback: verify=False only spares
        loading the CA bundle (50 ms of CPU per client, which adds up in a load test)."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, headers=headers, timeout=60, verify=False,
                                 **kw)

    def port(self, name: str) -> int:
        return getattr(self.settings, PORT_FIELDS[name])

    def spawn(self, name: str) -> subprocess.Popen:
        with open(self.logdir / f"{name}.log", "ab") as log:
            log.write(f"\n==== start {time.strftime('%H:%M:%S')} ====\n".encode())
            log.flush()
            proc = subprocess.Popen([sys.executable, "-m", self.specs[name].package],
                                    env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    async def healthy(self, name: str, *, timeout: float = 60) -> None:
        proc, url = self.procs[name], f"http://127.0.0.1:{self.port(name)}/healthz"
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5, verify=False) as client:
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited ({proc.returncode}):\n{self.tail(name)}")
                with suppress(httpx.HTTPError):
                    if (await client.get(url)).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} not healthy in {timeout}s:\n{self.tail(name)}")
                await asyncio.sleep(0.1)

    async def start(self) -> None:
        for name in self.names:
            self.spawn(name)
        for name in self.names:
            await self.healthy(name)

    def kill(self, name: str) -> None:
        """kill -9: no shutdown code runs, exactly like a crash or the OOM killer."""
        proc = self.procs[name]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        self.kills.append(name)

    async def restart(self, name: str) -> None:
        """Start the same command with the same environment (kill first if alive)."""
        if self.procs[name].poll() is None:
            self.kill(name)
        self.spawn(name)
        await self.healthy(name)

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def tails(self, lines: int = 15) -> str:
        return "\n".join(f"--- {n} ---\n{self.tail(n, lines)}" for n in self.names)

    async def stop(self) -> None:
        if self._poller is not None:
            await self._poller.aclose()
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            while proc.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # -- accounts ------------------------------------------------------------------
    async def users(self, n: int) -> list[User]:
        """The admin (first-run setup) plus n-1 users the admin adds; each signed in."""
        async with self.client() as c:
            r = await c.post("/api/setup", json={"username": "admin", "password": PASSWORD})
            assert r.status_code == 201, r.text
        admin = await self.login("admin")
        users = [admin]
        async with self.client(admin.token) as c:
            for i in range(1, n):
                r = await c.post("/api/users", json={"username": f"user{i}", "password": PASSWORD})
                assert r.status_code == 201, r.text
        for i in range(1, n):
            users.append(await self.login(f"user{i}"))
        return users

    async def login(self, username: str) -> User:
        async with self.client() as c:
            r = await c.post("/api/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            token = r.json()["access_token"]
            me = (await c.get("/api/auth/me", headers={"authorization": f"Bearer {token}"})).json()
        return User(username, token, uuid.UUID(me["id"]))

    # -- jobs ----------------------------------------------------------------------
    async def submit(self, user: User, url: str) -> httpx.Response:
        async with self.client(user.token) as c:
            return await c.post("/api/jobs", json={"url": url})

    async def burst(self, submissions: list[tuple[User, str]]) -> list[httpx.Response]:
        """Every submission in flight at once (one keep-alive client per user)."""
        clients = {u.username: self.client(u.token, limits=httpx.Limits(max_connections=20))
                   for u, _ in submissions}
        try:
            return await asyncio.gather(*(clients[u.username].post("/api/jobs", json={"url": url})
                                          for u, url in submissions))
        finally:
            for c in clients.values():
                await c.aclose()

    async def job(self, user: User, job_id: str) -> dict:
        r = await self.poller.get(f"/api/jobs/{job_id}",
                                  headers={"authorization": f"Bearer {user.token}"})
        r.raise_for_status()
        return r.json()

    async def wait_job(self, user: User, job_id: str, pred, *, timeout: float, what: str) -> dict:
        """Poll one job until `pred(job)`; a bounded wait."""
        deadline = time.monotonic() + timeout
        job: dict = {}
        while time.monotonic() < deadline:
            with suppress(httpx.HTTPError):
                job = await self.job(user, job_id)
                if pred(job):
                    return job
            await asyncio.sleep(0.1)
        raise AssertionError(f"job {job_id} never {what} in {timeout}s: {job}\n{self.tails()}")

    async def all_jobs(self, users: list[User]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for u in users:
            found.update(await self.jobs_of(u))
        return found

    @property
    def poller(self) -> httpx.AsyncClient:
        """One client for the many polls (a new one per call burnt seconds of CPU)."""
        if self._poller is None:
            self._poller = self.client()
        return self._poller

    async def jobs_of(self, user: User) -> dict[str, dict]:
        """Every job of the user (paged through the public API)."""
        found: dict[str, dict] = {}
        auth = {"authorization": f"Bearer {user.token}"}
        for offset in range(0, 10_000, 200):
            r = await self.poller.get("/api/jobs", params={"limit": 200, "offset": offset},
                                      headers=auth)
            r.raise_for_status()
            page = r.json()
            found.update({j["id"]: j for j in page["items"]})
            if offset + 200 >= page["total"]:
                break
        return found

    async def wait_jobs(self, expected: dict[str, User], *, timeout: float,
                        poll: float = 0.5) -> dict[str, dict]:
        """Poll GET /api/jobs until every job in `expected` (id -> owner) is terminal."""
        owners = {u.username: u for u in expected.values()}
        deadline = time.monotonic() + timeout
        while True:
            seen: dict[str, dict] = {}
            for user in owners.values():
                with suppress(httpx.HTTPError):
                    seen.update(await self.jobs_of(user))
            open_ = [j for j in expected if seen.get(j, {}).get("status") not in TERMINAL_STATUSES]
            if not open_:
                return {j: seen[j] for j in expected}
            if time.monotonic() > deadline:
                states = {j: seen.get(j, {}).get("status", "missing") for j in open_[:10]}
                raise AssertionError(f"{len(open_)} jobs not finished after {timeout}s: "
                                     f"{states}\n{self.tails()}")
            await asyncio.sleep(poll)


@dataclass(frozen=True)
class User:
    username: str
    token: str
    id: uuid.UUID


class Rig:
    """Session-wide factory of settings and stacks (usable from module-scoped fixtures)."""

    def __init__(self, pg_dsn: str, redis_url: str, tmp: pytest.TempPathFactory) -> None:
        self.pg_dsn, self.redis_url, self.tmp = pg_dsn, redis_url, tmp
        self.audit = Auditor()

    @staticmethod
    def cli(settings: Settings, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return run_cli(settings, *args, timeout=timeout)

    def settings(self, **overrides: Any) -> Settings:
        """Fresh Redis prefix, schema prefix and media root; free ports; short bus timings."""
        prefix = f"f{uuid.uuid4().hex[:8]}"
        base = Settings(env="test", database_url=self.pg_dsn, redis_url=self.redis_url,
                        redis_prefix=f"{prefix}:", db_schema_prefix=f"{prefix}_",
                        media_root=self.tmp.mktemp(prefix) / "media", log_format="console",
                        claim_idle_ms=4_000, heartbeat_ms=500, max_deliveries=4,
                        jwt_secret="f" * 40, service_token="s" * 40,
                        download_socket_timeout_s=10.0)
        return pipeline_settings(base, **overrides)

    @asynccontextmanager
    async def stack(self, settings: Settings | None = None, *,
                    names: tuple[str, ...] = SERVICES, **overrides: Any):
        """`async with rig.stack(**overrides) as stack:` the services as processes."""
        s = settings.model_copy(update=overrides) if settings else self.settings(**overrides)
        s.media_root.mkdir(parents=True, exist_ok=True)
        stack = ProcStack(s, self.tmp.mktemp("logs"), names)
        try:
            await stack.start()
            yield stack
        finally:
            await stack.stop()


@pytest.fixture(scope="session")
def rig(pg_dsn: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Rig:
    return Rig(pg_dsn, redis_url, tmp_path_factory)


# -- audits ----------------------------------------------------------------------------
@dataclass
class AuditReport:
    terminal: dict[str, list[str]] = field(default_factory=dict)  # job -> terminal event types
    items: int = 0
    media_files: int = 0
    objects_on_disk: int = 0
    problems: list[str] = field(default_factory=list)


class Auditor:
    """Reads the truth behind the API: outboxes, the library's tables, the disk."""

    @staticmethod
    def schema(settings: Settings, service: str) -> str:
        return f"{settings.db_schema_prefix}{service}"

    async def fetch(self, settings: Settings, sql: str, *args) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(settings.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def terminal_events(self, settings: Settings) -> dict[str, list[str]]:
        """job id -> the terminal events logged for it, across every service's outbox."""
        found: dict[str, list[str]] = {}
        for service in ("library", "downloader", "transcoder", "gateway", "vault"):
            types = list(TERMINAL_EVENTS.get(service, ())) + ["EventDeadLettered"]
            rows = await self.fetch(settings, f"SELECT correlation_id, type FROM "
                                    f"{self.schema(settings, service)}.outbox WHERE type = ANY($1)"
                                    " ORDER BY seq", types)
            for r in rows:
                found.setdefault(str(r["correlation_id"]), []).append(f"{service}:{r['type']}")
        return found

    async def deleted_items(self, settings: Settings) -> set[str]:
        """Item ids the library logged as deleted (LibraryItemDeleted)."""
        from mf_contracts.envelope import decode

        rows = await self.fetch(settings, f"SELECT envelope FROM {self.schema(settings, 'library')}"
                                ".outbox WHERE type = 'LibraryItemDeleted'")
        return {decode(bytes(r["envelope"])).payload.item_id for r in rows}

    async def outbox_counts(self, settings: Settings, service: str) -> Counter:
        rows = await self.fetch(settings, f"SELECT type, count(*) AS n FROM "
                                f"{self.schema(settings, service)}.outbox GROUP BY type")
        return Counter({r["type"]: r["n"] for r in rows})

    async def outbox_types(self, settings: Settings, service: str, job: str) -> list[str]:
        rows = await self.fetch(settings, f"SELECT type FROM {self.schema(settings, service)}"
                                ".outbox WHERE correlation_id = $1 ORDER BY seq", uuid.UUID(job))
        return [r["type"] for r in rows]

    async def invariants(self, settings: Settings, *, verify_hashes: bool = True) -> list[str]:
        from mf_contracts.service import close_runtime, open_runtime
        from mf_library.app import SPEC as LIBRARY
        from mf_library.invariants import check_invariants

        rt = await open_runtime(LIBRARY, settings, pool_size=4)
        try:
            return await check_invariants(rt, verify_hashes=verify_hashes)
        finally:
            await close_runtime(rt)

    @staticmethod
    def object_files(settings: Settings) -> list[Path]:
        root = settings.media_root / "objects"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    @staticmethod
    def staging_files(settings: Settings) -> list[Path]:
        root = settings.media_root / "staging"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    @staticmethod
    def hashes(paths: list[Path]) -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}

    async def check(self, settings: Settings, jobs: dict[str, dict], *,
                    staging_timeout: float = 15) -> AuditReport:
        """Everything that must hold once every job in `jobs` (id -> API view) is over."""
        from mf_library.domain import parse_object_relpath

        report = AuditReport()
        report.terminal = await self.terminal_events(settings)
        lib = self.schema(settings, "library")
        items = {str(r["job_id"]): r for r in await self.fetch(
            settings, f"SELECT id, job_id, sha256 FROM {lib}.library_items")}
        rows = {r["sha256"]: r for r in await self.fetch(
            settings, f"SELECT sha256, ref_count, ext FROM {lib}.media_files")}
        report.items, report.media_files = len(items), len(rows)
        deleted = await self.deleted_items(settings)
        for job, view in jobs.items():
            events = report.terminal.get(job, [])
            if view["status"] == "cancelled":
                continue
            if len(events) != 1:
                report.problems.append(f"job {job} ({view['status']}): terminal events {events}")
            if view["status"] == "done":
                if job not in items:
                    if view["item_id"] not in deleted:
                        report.problems.append(f"job {job} done but has no library item")
                elif str(items[job]["id"]) != view["item_id"]:
                    report.problems.append(f"job {job}: item {view['item_id']} vs "
                                           f"{items[job]['id']} in the library")
            elif job in items:
                report.problems.append(f"job {job} is {view['status']} but has an item")
            if view["status"] == "failed" and not (view.get("error") or "").strip():
                report.problems.append(f"job {job} failed without a reason")
        report.problems += await self.invariants(settings)
        objects = self.object_files(settings)
        report.objects_on_disk = len(objects)
        for path in objects:
            parsed = parse_object_relpath(PurePosixPath(path.relative_to(
                settings.media_root / "objects").as_posix()))
            if parsed is None:
                report.problems.append(f"stray file in objects/: {path}")
            elif parsed[0] not in rows:
                report.problems.append(f"orphaned object {path}")
        if len(objects) != len(rows):
            report.problems.append(f"{len(objects)} object files for {len(rows)} media rows")
        deadline = time.monotonic() + staging_timeout  # cleanup runs just after the commit
        while (left := self.staging_files(settings)) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        report.problems += [f"left in staging: {p}" for p in left]
        return report


def run_cli(settings: Settings, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`mf <args>` in a child process reading the same settings (as an operator would)."""
    done = subprocess.run([sys.executable, "-m", "mf_contracts.cli.main", *args],
                          env=settings_env(settings), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"mf {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


# -- figures ---------------------------------------------------------------------------
_FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figures():
    """`figures(line)`: a measured figure, printed in the run's closing summary."""
    return _FIGURES.append


@pytest.fixture(scope="module", autouse=True)
def module_cost(request):
    """Wall time and CPU (this process and its reaped children: the services, yt-dlp,
    ffmpeg) of each module, as a figure: what bounds the suite on 2 cores is CPU."""
    import resource

    def cpu() -> float:
        own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    began, spent = time.monotonic(), cpu()
    yield
    _FIGURES.append(f"{request.module.__name__.rsplit('.', 1)[-1]}: "
                    f"{time.monotonic() - began:.0f} s wall, {cpu() - spent:.0f} s CPU")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _FIGURES:
        terminalreporter.section("MediaFetcher fault suite: figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
