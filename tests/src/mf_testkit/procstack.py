"""The stack as real processes, for fault and load tests.

`Rig.stack(**overrides)` starts every service (except feeds) as its own process
(`python -m mf_<name>`, exactly as deployed) with fresh prefixes, ports and media root,
logs in per-service files; `ProcStack.kill(name)` is SIGKILL and `restart(name)` starts
the same command with the same environment. `Rig.audit` (mf_testkit.audit) says after a
storm that nothing was lost or doubled; `run_cli` runs `mf` as an operator would.

Timings are shortened (claims, heartbeats) so a killed service's work is taken over in
seconds, and every wait is bounded.
"""
from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from mf_contracts.cli.main import load_services
from mf_contracts.settings import Settings

from .audit import Auditor
from .infra import settings_env
from .pipeline import PORT_FIELDS, pipeline_settings

# feeds has its own replica and failure tests (feed-svc/tests): not started here.
SERVICES = ("vault", "library", "transcoder", "downloader", "gateway")
TERMINAL_STATUSES = {"done", "failed", "cancelled"}
PASSWORD = "correct horse battery"


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
                        # A fixed key, as production has: jars survive a vault restart.
                        vault_key=base64.b64encode(os.urandom(32)).decode(),
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


def accepted(responses: list[httpx.Response]) -> list[str]:
    """The job ids of submissions that must all have been accepted (202)."""
    for r in responses:
        assert r.status_code == 202, (r.status_code, r.text)
    return [r.json()["id"] for r in responses]


def run_cli(settings: Settings, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`mf <args>` in a child process reading the same settings (as an operator would)."""
    done = subprocess.run([sys.executable, "-m", "mf_contracts.cli.main", *args],
                          env=settings_env(settings), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"mf {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done
