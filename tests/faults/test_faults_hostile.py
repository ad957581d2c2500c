"""Hostile input: each gets a clear 4xx or a failed job with a reason, and nothing else.

Builds on the gateway's own tests (loopback/metadata/private basics, alg:none, a 10 MB
body) and the vault's (malformed jars): this module tries the spellings those do not,
through the whole stack. What cannot be shown offline: a public name that *redirects*
to a private address (no public server is reachable here). What is shown instead:
the redirect guard itself, with a loopback page (allowed in the stack) redirecting to
the cloud metadata address (refused even when private networks are allowed), and a
strict downloader refusing names from /etc/hosts that resolve to loopback from inside
its worker, before any request leaves.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from pathlib import Path
from urllib.parse import unquote

import asyncpg
import httpx
import orjson
import pytest
import pytest_asyncio

pytestmark = pytest.mark.asyncio(loop_scope="session")
TRIED: dict[str, int] = {}  # category -> hostile inputs tried (printed at the end)


def tried(category: str, n: int = 1) -> None:
    TRIED[category] = TRIED.get(category, 0) + n


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(rig, figures):
    async with rig.stack(download_concurrency=2, transcode_concurrency=1) as s:
        s.people = await s.users(2)
        yield s
    figures(f"hostile inputs tried: {sum(TRIED.values())}: "
            + "; ".join(f"{n} {what}" for what, n in TRIED.items()))


# -- SSRF through the gateway, private networks not allowed ------------------------------
HOSTS_FILE_NAMES = [line.split()[1] for line in Path("/etc/hosts").read_text().splitlines()
                    if line.strip() and not line.startswith("#") and len(line.split()) > 1
                    and line.split()[0] in ("127.0.0.1", "::1")]

SSRF = [
    # loopback in every spelling the resolver accepts
    "http://127.1/x.mp4", "http://127.0.0.1./x.mp4", "http://0177.0.0.1/x.mp4",
    "http://0x7f.1/x.mp4", "http://0x7f000001/x.mp4", "http://017700000001/x.mp4",
    "http://2130706433:8080/x.mp4", "http://127.000.000.001/x.mp4", "http://0/x.mp4",
    "http://[::ffff:127.0.0.1]/x.mp4", "http://[0:0:0:0:0:0:0:1]/x.mp4",
    "http://[::ffff:7f00:1]/x.mp4", "http://[::1]:8101/internal/items", "http://[::]/x.mp4",
    "http://[0000::0001]/x.mp4", "http://１２７.０.０.１/x.mp4",
    # names resolving to loopback (this machine's /etc/hosts)
    *[f"http://{name}:8103/internal/items" for name in HOSTS_FILE_NAMES],
    "http://LOCALHOST/x.mp4", "http://localhost./x.mp4",
    # private, link-local, shared and other non-global ranges
    "http://192.168.1.1/x.mp4", "http://172.16.0.1/x.mp4", "http://10.0.0.1/x.mp4",
    "http://100.64.0.1/x.mp4", "http://198.18.0.1/x.mp4", "http://169.254.1.1/x.mp4",
    "http://[fe80::1]/x.mp4", "http://[fc00::1]/x.mp4", "http://[fd12:3456::1]/x.mp4",
    "http://[::ffff:10.0.0.1]/x.mp4", "http://[::ffff:192.168.0.1]/x.mp4",
    "http://0xa9fea9fe/latest/meta-data/", "http://169.254.169.254.:80/latest/",
    # parser confusion: the host the guard checks is the host a client would reach
    "http://127.0.0.1#@example.com/x.mp4", "http://127.0.0.1?@example.com/x.mp4",
    "http://example.com@127.0.0.1/x.mp4", "http://example.com\\@127.0.0.1/x.mp4",
    "http://127.0.0.1:80\\@example.com/", " http://127.0.0.1/x.mp4 ", "HTTP://127.0.0.1/x.mp4",
    "http:/127.0.0.1/x.mp4", "http:\\\\127.0.0.1\\x.mp4",
    # other schemes
    "file:/etc/passwd", "file://localhost/etc/passwd", "gopher://127.0.0.1:6379/_INFO",
    "data:text/html,<video src=x>", "javascript:fetch('//127.0.0.1')", "ftp://ftp.example.com/a",
    "sftp://example.com/a", "ldap://127.0.0.1/", "dict://127.0.0.1:6379/info",
    "jar:http://127.0.0.1/a.jar!/", "view-source:http://127.0.0.1/", "ws://127.0.0.1/",
    "rtmp://127.0.0.1/live", "hls+http://127.0.0.1/a.m3u8", "blob:http://127.0.0.1/x",
]


async def test_ssrf_spellings_get_422_from_the_gateway(settings):
    from mf_gateway.app import SPEC as GATEWAY
    from mf_testkit.pipeline import pipeline_settings, running

    strict = pipeline_settings(settings, allow_private_networks=False, jwt_secret="g" * 40)
    url = f"http://127.0.0.1:{strict.port}"
    async with running(strict, [GATEWAY]), httpx.AsyncClient(base_url=url, timeout=30) as c:
        await c.post("/api/setup", json={"username": "admin", "password": "correct horse"})
        token = (await c.post("/api/auth/login", json={"username": "admin",
                                                       "password": "correct horse"})).json()
        c.headers["authorization"] = f"Bearer {token['access_token']}"
        wrong = {}
        for target in SSRF:
            r = await c.post("/api/jobs", json={"url": target})
            if r.status_code != 422 or not r.json().get("detail"):
                wrong[target] = (r.status_code, r.text[:200])
        tried("ssrf spellings (gateway, private networks off)", len(SSRF))
        assert wrong == {}
        assert (await c.get("/api/jobs")).json()["total"] == 0  # nothing was queued


async def test_redirect_to_the_metadata_address_is_refused_inside_the_worker(stack, fault_server):
    """Private networks are allowed in this stack (the media is on 127.0.0.1), but the
    cloud metadata address never is: not when submitted, nor after a redirect."""
    user = stack.people[0]
    targets = ["http://169.254.169.254/latest/meta-data/iam/", "http://[::ffff:a9fe:a9fe]/latest/",
               "http://0xa9fea9fe/latest/meta-data/", "http://2852039166/latest/"]
    ids = []
    for n, target in enumerate(targets):
        page = fault_server.url(f"/status/302?location={target}&n={n}")
        r = await stack.submit(user, page)
        assert r.status_code == 202, r.text  # the first hop is a (loopback) page: allowed
        ids.append(r.json()["id"])
    jobs = await stack.wait_jobs({j: user for j in ids}, timeout=60)
    tried("redirects to the metadata address", len(targets))
    for job_id in ids:
        job = jobs[job_id]
        assert job["status"] == "failed", job
        assert "private or local network" in job["error"], job["error"]


async def test_a_strict_downloader_refuses_names_that_resolve_to_loopback(settings, fault_server):
    """With private networks off, a job that reached the downloader anyway (a feed, an
    old event) is refused inside the worker's resolver, before any request is sent."""
    from mf_downloader.app import build_spec
    from mf_testkit.pipeline import pipeline_settings, running, submitter, watching

    strict = pipeline_settings(settings, allow_private_networks=False, download_concurrency=3)
    port = int(fault_server.base_url.rsplit(":", 1)[1])
    names = [*HOSTS_FILE_NAMES[:2], "0x7f.1", "[::ffff:127.0.0.1]"]
    urls = [f"http://{n}:{port}/files/v/clip00.mp4?strict={i}" for i, n in enumerate(names)]
    urls.append(f"http://{HOSTS_FILE_NAMES[0]}:{port}/status/302?location="
                f"http://127.0.0.1:{port}/files/v/clip01.mp4")
    async with running(strict, [build_spec()]), submitter(strict) as sub, \
            watching(strict) as watch:
        jobs = [await sub.submit(u) for u in urls]
        ends = [await watch.wait_for(j, {"MediaDownloaded", "DownloadFailed"}, timeout=60)
                for j in jobs]
    tried("loopback names and redirects at a strict downloader", len(urls))
    for url, env in zip(urls, ends, strict=True):
        assert env.type == "DownloadFailed", (url, env.payload)
        assert "private or local network" in env.payload.reason, (url, env.payload.reason)
    assert fault_server.hits("/files/") == 0 and fault_server.hits("/status/") == 0


# -- hostile titles -------------------------------------------------------------------------
HOSTILE_TITLES = {
    "traversal": "../../../../etc/passwd",
    "nul": "before\x00after ../x",
    "long": "A" * 250 + "/.." * 50 + "é" * 100,
    "header": 'x"; filename="evil.sh\r\nSet-Cookie: a=b',
}


async def test_hostile_titles_are_stored_safely_and_download_names_sanitized(stack, fault_server):
    user = stack.people[1]
    ids = {}
    for name, title in HOSTILE_TITLES.items():
        page = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
                f'</head><body><video src="/files/v/clip1{len(ids)}.mp4"></video></body></html>')
        fault_server.route(f"/hostile/{name}", page.encode(),
                           content_type="text/html; charset=utf-8")
        r = await stack.submit(user, fault_server.url(f"/hostile/{name}"))
        assert r.status_code == 202, r.text
        ids[name] = r.json()["id"]
    jobs = await stack.wait_jobs({j: user for j in ids.values()}, timeout=90)
    tried("hostile titles (../, NUL, 500 chars, header injection)", len(HOSTILE_TITLES))
    async with stack.client(user.token) as c:
        for name, job_id in ids.items():
            job = jobs[job_id]
            assert job["status"] == "done", (name, job)
            item = (await c.get(f"/api/library/{job['item_id']}")).json()
            assert "\x00" not in item["title"] and "\x00" not in (job["title"] or "")
            assert len(item["title"]) <= 1000
            r = await c.get(item["download_url"])
            assert r.status_code == 200
            disposition = r.headers["content-disposition"]
            filename = _filename(disposition)
            assert disposition.startswith("attachment"), disposition
            assert "/" not in filename and "\\" not in filename and "\x00" not in filename
            assert not filename.startswith("."), filename  # no hidden file, no "../"
            assert "\r" not in disposition and "\n" not in disposition
            assert len(filename.encode()) <= 255 and filename.endswith(".mp4"), filename
            assert "set-cookie" not in {k.lower() for k in r.headers.keys()}
            assert hashlib.sha256(r.content).hexdigest() == item["sha256"]


def _filename(disposition: str) -> str:
    star = re.search(r"filename\*=utf-8''([^;]+)", disposition, re.IGNORECASE)
    if star:
        return unquote(star.group(1))
    plain = re.search(r'filename="((?:[^"\\]|\\.)*)"', disposition)
    assert plain, disposition
    return plain.group(1)


# -- hostile media -----------------------------------------------------------------------------
async def test_media_bombs_and_lying_lengths_fail_with_reasons(stack, rig, fault_server):
    user = stack.people[0]
    cases = {
        "/files/bomb_16k.mp4": "largest size accepted is 8K",
        "/files/long_13h.mp4": "13.0 hours long; the limit is 12 hours",
        "/files/claims_10h.webm": "36000.0 s",  # the container claims 10 h, 3 s are inside
    }
    ids = {}
    for path, _ in cases.items():
        r = await stack.submit(user, fault_server.url(f"{path}?hostile=1"))
        assert r.status_code == 202, r.text
        ids[path] = r.json()["id"]
    jobs = await stack.wait_jobs({j: user for j in ids.values()}, timeout=90)
    tried("media bombs (16K frames, 13 h, a container claiming 10 h)", len(cases))
    for path, words in cases.items():
        job = jobs[ids[path]]
        assert job["status"] == "failed" and words in job["error"], (path, job["error"])
    report = await rig.audit.check(stack.settings, jobs)
    assert report.problems == [], report.problems


# -- cookies -----------------------------------------------------------------------------------
def chrome_cookie(n: int = 0, **over) -> dict:
    return {"name": f"c{n}", "value": "v" * 20, "domain": ".example.com", "hostOnly": False,
            "path": "/", "secure": True, "httpOnly": True, "sameSite": "lax", "session": False,
            "expirationDate": time.time() + 3600, "storeId": "0", **over}


async def test_malformed_and_huge_cookie_uploads_are_refused_and_store_nothing(stack, rig):
    user = stack.people[1]
    good = chrome_cookie()
    cases = [
        (b"{not json", {422}),
        (b'{"cookies": "all of them"}', {422}),
        (b'{"cookies": [1, 2, 3]}', {422}),
        (b"[]", {422}),
        (orjson.dumps({"cookies": [{}] * 100_000}), {413, 422}),  # 100k (tiny) cookies
        (orjson.dumps({"cookies": [chrome_cookie(i) for i in range(100_000)]}), {413}),
        (orjson.dumps({"cookies": [chrome_cookie(i) for i in range(5_001)]}), {413, 422}),
        (orjson.dumps({"cookies": [good, {**good, "value": "x" * 10_000}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "name": "a\x00b"}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "value": "a\r\nSet-Cookie: x=y"}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "domain": "../../etc"}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "domain": "http://evil/"}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "expirationDate": "never"}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "expirationDate": 1e300}]}), {422}),
        (orjson.dumps({"cookies": [{**good, "name": "n" * 100_000}]}), {422}),
        (b'{"cookies": [' + b"[" * 5000 + b"]" * 5000 + b"]}", {400, 422}),  # deep nesting
    ]
    async with stack.client(user.token) as c:
        for body, statuses in cases:
            r = await c.post("/api/cookies", content=body,
                             headers={"content-type": "application/json"})
            assert r.status_code in statuses, (body[:80], r.status_code, r.text[:300])
            assert r.json()["detail"]
            assert "v" * 20 not in r.text and "x" * 100 not in r.text  # no value echoed
        chunked = await c.post("/api/cookies", content=_chunks(b" " * (12 * 2**20)),
                               headers={"content-type": "application/json"})
        assert chunked.status_code == 413, chunked.text
        assert (await c.get("/api/cookies")).json() == []
    tried("cookie uploads (malformed, 100k cookies, oversized, chunked)", len(cases) + 1)
    rows = await rig.audit.fetch(stack.settings, "SELECT count(*) AS n FROM "
                                 f"{rig.audit.schema(stack.settings, 'vault')}.cookie_jars")
    assert rows[0]["n"] == 0


async def _chunks(data: bytes, size: int = 1 << 20):
    for start in range(0, len(data), size):
        yield data[start:start + size]


# -- request bodies and URLs ------------------------------------------------------------------
async def test_huge_odd_and_broken_requests_get_a_clear_4xx(stack, fault_server):
    user = stack.people[0]
    base = fault_server.url("/files/v/clip00.mp4")
    bodies = [
        ("/api/jobs", orjson.dumps({"url": base + "?x=" + "a" * (10 * 2**20)}), {413}),
        ("/api/jobs", _chunks(b'{"url": "' + b"a" * (10 * 2**20) + b'"}'), {413}),
        ("/api/jobs", orjson.dumps({"url": base + "?" + "a" * 5000}), {422}),
        ("/api/jobs", orjson.dumps({"url": base + "\x00"}), {422}),
        ("/api/jobs", orjson.dumps({"url": base + "?q=\x00"}), {422}),
        ("/api/jobs", orjson.dumps({"url": base.replace("/files", "/fi\x00les")}), {422}),
        ("/api/jobs", orjson.dumps({"url": base + "\r\nX-Injected: 1"}), {422}),
        ("/api/jobs", orjson.dumps({"url": ["http://a/"]}), {422}),
        ("/api/jobs", orjson.dumps({"url": None}), {422}),
        ("/api/jobs", b'{"url": "' + b"\\ud800" + b'"}', {422}),  # a lone surrogate
        ("/api/jobs", b"\xff\xfe{garbage", {422}),
        ("/api/jobs", orjson.dumps({"url": base, "extra": "x" * 900_000}), {202, 422}),
        ("/api/auth/login", orjson.dumps({"username": "a" * 2**20, "password": "x"}), {413, 422}),
        ("/api/tokens", orjson.dumps({"name": "n\x00", "scopes": ["submit", "admin"]}), {422}),
        ("/api/extension/token", orjson.dumps({"code": "../" * 5}), {400, 422}),
        ("/api/users", orjson.dumps({"username": "../../root", "password": "x" * 300}), {422}),
    ]
    async with stack.client(user.token) as c:
        for path, body, statuses in bodies:
            r = await c.post(path, content=body, headers={"content-type": "application/json"})
            assert r.status_code in statuses, (path, str(body)[:80], r.status_code, r.text[:300])
            if r.status_code >= 400:
                assert r.json()["detail"], r.text
        for path, params in [("/api/library", {"q": "x" * 10_000}), ("/api/library", {"limit": -1}),
                             ("/api/jobs", {"offset": 10**20}),
                             ("/api/library", {"offset": 10**20}),
                             ("/api/jobs", {"status": "'; DROP TABLE jobs; --"}),
                             ("/api/library", {"sort": "id; DROP TABLE"}),
                             ("/api/library", {"q": "%_\\\x00"})]:
            r = await c.get(path, params=params)
            assert 400 <= r.status_code < 500 or (r.status_code == 200 and "q" in params), \
                (path, params, r.status_code, r.text[:200])
        for path in ("/api/jobs/not-a-uuid", "/api/library/..%2f..%2fetc%2fpasswd",
                     f"/api/library/{uuid.uuid4()}/stream", "/api/jobs/%00"):
            r = await c.get(path)
            assert r.status_code in (401, 404, 422), (path, r.status_code, r.text[:200])
    tried("oversized, malformed and injected request bodies and parameters", len(bodies) + 11)


# -- tokens ------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jwt(header: dict, claims: dict, key: bytes, alg: str = "sha256") -> str:
    signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    sig = b"" if key is None else hmac.new(key, signing.encode(), getattr(hashlib, alg)).digest()
    return f"{signing}.{_b64(sig)}"


async def test_forged_and_stale_tokens_get_401(stack):
    admin = stack.people[0]
    secret = stack.settings.jwt_secret.encode()
    now = int(time.time())
    claims = {"sub": str(admin.id), "adm": True, "typ": "access", "iat": now, "exp": now + 600,
              "jti": uuid.uuid4().hex}
    forged = {
        "alg none": _jwt({"alg": "none", "typ": "JWT"}, claims, None),
        "alg None": _jwt({"alg": "None"}, claims, None),
        "alg nOnE, signed": _jwt({"alg": "nOnE"}, claims, secret),
        "alg HS512 with the real key": _jwt({"alg": "HS512"}, claims, secret, "sha512"),
        "alg HS384 with the real key": _jwt({"alg": "HS384"}, claims, secret, "sha384"),
        "kid injection, empty key": _jwt({"alg": "HS256", "kid": "../../../../dev/null"}, claims,
                                         b""),
        "kid sql injection": _jwt({"alg": "HS256", "kid": "x' UNION SELECT 'k"}, claims, b"k"),
        "jwk embedded attacker key": _jwt({"alg": "HS256", "jwk": {"kty": "oct", "k": _b64(b"k")}},
                                          claims, b"k"),
        "jku to attacker": _jwt({"alg": "HS256", "jku": "http://127.0.0.1/jwks"}, claims, b"k"),
        "alg RS256 (HMAC with the key as public key)": _jwt({"alg": "RS256"}, claims, secret),
        "another key": _jwt({"alg": "HS256"}, claims, b"x" * 40),
        "typ refresh": _jwt({"alg": "HS256"}, {**claims, "typ": "refresh"}, secret),
        "no exp": _jwt({"alg": "HS256"}, {k: v for k, v in claims.items() if k != "exp"}, secret),
        "expired a day ago": _jwt({"alg": "HS256"}, {**claims, "exp": now - 86400}, secret),
        "sub not a uuid": _jwt({"alg": "HS256"}, {**claims, "sub": "admin"}, secret),
        "header not json": f"{_b64(b'{')}.{_b64(json.dumps(claims).encode())}.AAAA",
        "four parts": _jwt({"alg": "HS256"}, claims, secret) + ".AAAA",
        "huge token": "a." * 4000 + "a",
    }
    for name, token in forged.items():
        async with stack.client(token) as c:
            for method, path in (("GET", "/api/auth/me"), ("GET", "/api/jobs"),
                                 ("POST", "/api/extension/pairing")):
                r = await c.request(method, path)
                assert r.status_code == 401, (name, path, r.status_code, r.text)
    tried("forged JWTs (alg none/HS512/RS256, kid/jwk/jku, other key, expired...)", len(forged))


async def test_a_deleted_users_token_is_refused_everywhere(stack, rig):
    """No route deletes users yet; an operator removing the row (or a restore from an
    older backup) leaves 15-minute tokens in the wild: they must not keep working."""
    admin = stack.people[0]
    async with stack.client(admin.token) as c:
        r = await c.post("/api/users", json={"username": "leaver",
                                             "password": "correct horse battery"})
        assert r.status_code == 201, r.text
    leaver = await stack.login("leaver")
    async with stack.client(leaver.token) as c:
        assert (await c.get("/api/jobs")).status_code == 200
        ext = (await c.post("/api/tokens", json={"name": "laptop"})).json()["token"]
    conn = await asyncpg.connect(stack.settings.database_url)
    try:
        await conn.execute(f"DELETE FROM {rig.audit.schema(stack.settings, 'gateway')}.users"
                           " WHERE id = $1", leaver.id)
    finally:
        await conn.close()
    for token in (leaver.token, ext):
        async with stack.client(token) as c:
            for method, path, body in (("GET", "/api/auth/me", None), ("GET", "/api/jobs", None),
                                       ("POST", "/api/jobs", {"url": "https://example.com/v.mp4"}),
                                       ("POST", "/api/tokens", {"name": "again"}),
                                       ("POST", "/api/extension/pairing", None),
                                       ("GET", "/api/events/ticket", None)):
                r = await c.request(method, path, json=body)
                assert r.status_code == 401, (token[:12], path, r.status_code, r.text)
    tried("tokens of a deleted user (JWT and extension)", 2)
