"""Gateway under load from a second process (wrk) on loopback.

    uv run python bench/gateway_bench.py

1. Listing a 1,000-item library: p50/p99 latency and requests/s of GET /api/library
   (pages of 200, and a title search), wrk -c16 for 10 s.
2. Streaming a 200 MB file with Range requests (random 8 MiB ranges): MB/s through the
   gateway vs nginx serving the same file in the same run (target >= 0.8x nginx).
"""
from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import textwrap
import uuid
from pathlib import Path

from mf_contracts.events import MediaDownloaded, MediaInfo, MediaTranscoded, Probe
from mf_contracts.settings import Settings
from mf_contracts.storage import staging_dir
from mf_testkit.infra import fresh_database, fresh_redis
from mf_testkit.pipeline import free_port, submitter, watching
from mf_testkit.stack import process_stack

ITEMS = 1000
WRK_LUA = textwrap.dedent("""
    math.randomseed(os.time())
    request = function()
      local start = math.random(0, SIZE - CHUNK - 1)
      wrk.headers["Range"] = "bytes=" .. start .. "-" .. (start + CHUNK - 1)
      return wrk.format("GET", PATH)
    end
""")


def make_file(path: Path, size_mb: int = 200) -> None:
    with path.open("wb") as f:
        for _ in range(size_mb):
            f.write(uuid.uuid4().bytes * 65536)


def wrk(url: str, *, headers: dict[str, str] | None = None, script: str | None = None,
        seconds: int = 10, conns: int = 16) -> dict:
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    def ms(value: str) -> float:
        num, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]", "", value)
        return num * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    mbps = float(transfer.group(1)) * {"B": 1e-6, "KB": 1e-3, "MB": 1, "GB": 1e3}[transfer.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"p50_ms": ms(lat["50"]), "p99_ms": ms(lat["99"]), "rps": rps, "mb_per_s": mbps,
            "non_2xx": int(errors.group(1)) if errors else 0}


def nginx(root: Path, port: int) -> subprocess.Popen:
    conf = root.parent / "nginx.conf"
    conf.write_text(textwrap.dedent(f"""
        worker_processes auto; daemon off; pid {root.parent}/nginx.pid;
        error_log stderr error;
        events {{ worker_connections 1024; }}
        http {{ access_log off; sendfile on; tcp_nopush on;
          client_body_temp_path {root.parent}; proxy_temp_path {root.parent};
          fastcgi_temp_path {root.parent}; uwsgi_temp_path {root.parent}; scgi_temp_path {root.parent};
          server {{ listen 127.0.0.1:{port}; root {root}; }} }}
    """))
    return subprocess.Popen(["nginx", "-c", str(conf), "-p", str(root.parent)])


async def populate(stack, token: str, sample: Path) -> tuple[str, str]:
    """One stored file and 1,000 items linking to it (same content, different jobs)."""
    async with stack.client(token) as c:
        user = uuid.UUID((await c.get("/api/auth/me")).json()["id"])
    s = stack.settings
    async with submitter(s) as sub, watching(s) as watch:
        job = uuid.uuid4()
        staged = staging_dir(s.media_root, job) / "big.mp4"
        shutil.copyfile(sample, staged)
        info = MediaInfo(title="Big file 0", source_url="https://example.com/0")
        await sub.send(MediaTranscoded(path=str(staged), action="keep", info=info,
                                       probe=Probe(container="mp4", size=staged.stat().st_size)),
                       job_id=job, user_id=user)
        first = await watch.wait_for(job, timeout=120)
        sha = first.payload.sha256
        for i in range(1, ITEMS):
            info = MediaInfo(title=f"Clip number {i}", source_url=f"https://example.com/{i}")
            await sub.send(MediaDownloaded(existing_sha256=sha, info=info), job_id=uuid.uuid4(),
                           user_id=user)
    async with stack.client(token) as c:
        while (await c.get("/api/library", params={"limit": 1})).json()["total"] < ITEMS:
            await asyncio.sleep(0.2)
        item = (await c.get("/api/library", params={"limit": 1, "sort": "oldest"})).json()["items"][0]
    return item["stream_url"], sha


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "www").mkdir()
        sample = tmp / "www" / "big.mp4"
        make_file(sample)
        size = sample.stat().st_size
        async with fresh_database() as dsn:
            with fresh_redis() as redis_url:
                base = Settings(env="test", database_url=dsn, redis_url=redis_url, redis_prefix="gb:",
                                media_root=tmp / "media", log_level="WARNING", log_format="console")
                async with process_stack(base, only=("gateway", "library")) as stack:
                    token = await stack.admin_token()
                    stream_url, _ = await populate(stack, token, sample)
                    auth = {"Authorization": f"Bearer {token}"}
                    listing = await asyncio.to_thread(
                        wrk, f"{stack.url}/api/library?limit=200&offset=400", headers=auth)
                    search = await asyncio.to_thread(
                        wrk, f"{stack.url}/api/library?q=number%2042&limit=50", headers=auth)
                    script = tmp / "range.lua"
                    chunk = 8 * 1024 * 1024
                    script.write_text(WRK_LUA.replace("SIZE", str(size)).replace("CHUNK", str(chunk))
                                      .replace("PATH", json.dumps(stream_url)))
                    gw = await asyncio.to_thread(wrk, f"{stack.url}{stream_url}", script=str(script),
                                                 conns=4)
                port = free_port()
                server = nginx(tmp / "www", port)
                try:
                    await asyncio.sleep(0.5)
                    script.write_text(WRK_LUA.replace("SIZE", str(size)).replace("CHUNK", str(chunk))
                                      .replace("PATH", json.dumps("/big.mp4")))
                    ngx = await asyncio.to_thread(wrk, f"http://127.0.0.1:{port}/big.mp4",
                                                  script=str(script), conns=4)
                finally:
                    server.terminate()
                    server.wait()
    ratio = gw["mb_per_s"] / ngx["mb_per_s"]
    print(json.dumps({"list_200_of_1000": listing, "search": search, "stream_gateway": gw,
                      "stream_nginx": ngx, "stream_ratio": round(ratio, 3)}))
    print(f"list (200 of {ITEMS}): p50 {listing['p50_ms']:.1f} ms, p99 {listing['p99_ms']:.1f} ms, "
          f"{listing['rps']:.0f} req/s; search: p50 {search['p50_ms']:.1f} ms, {search['rps']:.0f} req/s")
    print(f"Range streaming: gateway {gw['mb_per_s']:.0f} MB/s vs nginx {ngx['mb_per_s']:.0f} MB/s "
          f"= {ratio:.2f}x (target >= 0.8x)")


if __name__ == "__main__":
    asyncio.run(main())
