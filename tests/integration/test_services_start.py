"""Every service starts as `python -m mf_<name>`, migrates its own schema, answers
/healthz, and stops cleanly on SIGTERM."""
from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time

import asyncpg
import httpx
import pytest

from mf_testkit.infra import settings_env

SERVICES = [("gateway", "mf_gateway", "MF_PORT"), ("downloader", "mf_downloader", "MF_DOWNLOADER_PORT"),
            ("transcoder", "mf_transcoder", "MF_TRANSCODER_PORT"), ("library", "mf_library", "MF_LIBRARY_PORT"),
            ("feeds", "mf_feeds", "MF_FEEDS_PORT"), ("vault", "mf_vault", "MF_VAULT_PORT")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name,package,port_var", SERVICES, ids=[s[0] for s in SERVICES])
async def test_service_starts_migrates_and_stops(name, package, port_var, settings, tmp_path):
    port = free_port()
    env = settings_env(settings, MF_MEDIA_ROOT=str(tmp_path), MF_VAULT_KEY=base64.b64encode(os.urandom(32)).decode(), **{port_var: str(port)})
    proc = subprocess.Popen([sys.executable, "-m", package], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        body = _wait_healthy(port, proc)
        assert body["service"] == name and body["postgres"] == "ok" and body["redis"] == "ok"
        if name == "downloader":
            assert body["yt_dlp"][:4].isdigit()
        conn = await asyncpg.connect(settings.database_url)
        tables = {r["table_name"] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
            settings.db_schema_prefix + name)}
        await conn.close()
        assert {"outbox", "inbox", "schema_migrations"} <= tables
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    assert code == 0, proc.stderr.read()[-2000:]


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"service exited: {proc.stderr.read()[-2000:]}")
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("service never became healthy")
