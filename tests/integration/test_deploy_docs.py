"""The deployment docs' commands and names, checked against the code they describe.

An operator copies these commands during an outage; a renamed service, a command that
lives in another image or a setting that does not exist would fail them then.
"""
from __future__ import annotations

import re
import shlex
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from mf_contracts.cli.main import build_parser
from mf_contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / name for name in ("deployment.md", "proxmox-lxc.md", "reverse-proxy.md")]
COMPOSE_SERVICES = {"postgres", "redis", "gateway", "downloader", "transcoder", "library", "feeds",
                    "vault"}
COMPOSE_ONLY = {"MF_POSTGRES_PASSWORD", "MF_VERSION", "MF_UID", "MF_GID", "MF_YTDLP_VERSION",
                "MF_TRUSTED_PROXIES"}
CORE_COMMANDS = {"services", "run", "migrate", "replay"}


def shell_lines(path: Path) -> list[str]:
    """Lines of the fenced code blocks, continuations joined, comments cut."""
    lines, inside, buf = [], False, ""
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            inside = not inside
            continue
        if not inside:
            continue
        line = re.sub(r"\s+#\s.*$", "", line)
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        lines.append(buf + line)
        buf = ""
    return lines


def mf_calls() -> list[tuple[str, str, list[str]]]:
    """(doc, compose service, mf argv) for each `docker compose exec|run … <svc> mf …`."""
    found = []
    pattern = re.compile(r"docker compose (?:exec|run)\s+(?:-\S+\s+)*(\S+)\s+mf\s+([^;&|]*)")
    for doc in DOCS:
        for line in shell_lines(doc):
            for service, args in pattern.findall(line):
                found.append((doc.name, service.strip('"'), shlex.split(args)))
    return found


def commands_in(service: str) -> set[str]:
    """The `mf` subcommands an image has: the core ones and its own package's."""
    package = {ep.name: ep.load().package for ep in entry_points(group="mf.services")}[service]
    own = {ep.name for ep in entry_points(group="mf.commands")
           if ep.value.split(".")[0] == package}
    return CORE_COMMANDS | own


def test_the_docs_use_mf_commands():
    assert len(mf_calls()) >= 6


@pytest.mark.parametrize("doc,service,argv", mf_calls(),
                         ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_each_mf_command_parses_and_runs_in_that_image(doc, service, argv):
    if service.startswith("$"):  # a shell loop over the services
        service_names = {"gateway", "downloader", "transcoder", "library", "feeds", "vault"}
        assert argv[0] in CORE_COMMANDS
        for name in service_names:
            assert argv[0] in commands_in(name)
        return
    assert service in COMPOSE_SERVICES - {"postgres", "redis"}, f"{doc}: no service {service}"
    build_parser().parse_args(argv)  # exits (fails the test) on a wrong command line
    assert argv[0] in commands_in(service), f"{doc}: `mf {argv[0]}` is not in the {service} image"
    if argv[:2] == ["replay", "rebuild"] or argv[0] == "run":
        assert argv[-1] == service, f"{doc}: rebuild {argv[-1]} in its own image, not {service}'s"
    if argv[:2] == ["replay", "rebuild"]:  # the example must be one the command accepts
        spec = {ep.name: ep.load() for ep in entry_points(group="mf.services")}[service]
        assert spec.projection_tables, f"{doc}: {service} has no projection to rebuild"
        assert not any(h.long_running for h in spec.handlers.values()), \
            f"{doc}: {service} has side effects; `mf replay rebuild` refuses it"


def test_compose_commands_name_real_services():
    pattern = re.compile(r"docker compose (exec|run|stop|start|build|restart)\s+(.*)")
    for doc in DOCS:
        for line in shell_lines(doc):
            for verb, rest in pattern.findall(line):
                words = shlex.split(rest.split(" mf ")[0].split(" pg_")[0].split(" redis-cli")[0])
                names, skip = [], False
                for word in words:
                    if skip:
                        skip = False
                    elif word in ("--build-arg", "-e", "--user", "-u", "-w"):
                        skip = True
                    elif not word.startswith("-") and not word.startswith("$"):
                        names.append(word)
                if verb in ("exec", "run"):
                    names = names[:1]
                elif verb == "build" and not names:
                    continue
                for name in names:
                    assert name in COMPOSE_SERVICES, f"{doc.name}: `docker compose {verb} … {name}`"


def test_settings_named_in_the_docs_exist():
    known = {f"MF_{f.upper()}" for f in Settings.model_fields} | COMPOSE_ONLY
    for doc in DOCS:
        # `MF_FFMPEG_*`-style families are not names; MF_TEST_* switch tests, not the app.
        named = set(re.findall(r"\bMF_[A-Z0-9_]*[A-Z0-9]\b(?!_\*)", doc.read_text()))
        unknown = {n for n in named - known if not n.startswith("MF_TEST_")}
        assert not unknown, f"{doc.name} names settings that do not exist: {sorted(unknown)}"


def _slug(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def test_links_between_the_docs_resolve():
    for doc in DOCS:
        for target, anchor in re.findall(r"\]\(([\w.-]+\.md)?(?:#([\w-]+))?\)", doc.read_text()):
            path = doc.parent / target if target else doc
            assert path.exists(), f"{doc.name} links to missing {target}"
            if anchor:
                headings = re.findall(r"^#+\s+(.*)$", path.read_text(), re.MULTILINE)
                slugs = {_slug(h) for h in headings}
                assert anchor in slugs, f"{doc.name} links to {path.name}#{anchor}, no such heading"
