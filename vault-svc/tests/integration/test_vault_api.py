"""The internal API end to end: upload, list, export, import, delete; bad input refused
with a clear message and nothing stored; one user never sees another's jars."""
from __future__ import annotations

import asyncio
import time
import uuid

import orjson
from mf_vault.netscape import HEADER, parse_cookies

SOON, LATER = time.time() + 3_600, time.time() + 86_400


async def _upload(client, user, cookies) -> dict:
    resp = await client.post("/internal/jars", json={"user_id": str(user), "cookies": cookies})
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_two_sites_are_listed_and_the_export_holds_exactly_one_sites_cookies(
        vault, user, chrome_cookie):
    got = await _upload(vault, user, [
        chrome_cookie(domain=".youtube.com", name="SID", value="yt-1", expires=LATER),
        chrome_cookie(domain="www.youtube.com", name="PREF", value="yt-2", expires=SOON,
                      httpOnly=True),
        chrome_cookie(domain="music.youtube.com", name="sess", value="yt-3"),
        chrome_cookie(domain=".bbc.co.uk", name="ckns", value="bbc-1", expires=LATER),
        chrome_cookie(domain=".old.bbc.co.uk", name="gone", value="x", expires=time.time() - 5),
    ])
    assert [(s["site"], s["count"]) for s in got["sites"]] == [("bbc.co.uk", 1), ("youtube.com", 3)]
    listing = (await vault.get("/internal/jars", params={"user_id": str(user)})).json()
    assert [(j["site"], j["count"]) for j in listing] == [("bbc.co.uk", 1), ("youtube.com", 3)]
    yt = next(j for j in listing if j["site"] == "youtube.com")
    assert abs(_ts(yt["earliest_expiry"]) - SOON) < 1 and yt["updated_at"]
    assert not any("value" in j or "cookies" in j for j in listing)

    resp = await vault.get("/internal/jars/netscape",
                           params={"user_id": str(user), "url": "https://www.youtube.com/watch?v=x"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    lines = resp.text.splitlines()
    assert lines[0] == HEADER
    rows = sorted(ln.split("\t") for ln in lines if ln and not ln.startswith("# "))
    assert rows == sorted([
        [".youtube.com", "TRUE", "/", "FALSE", str(int(LATER)), "SID", "yt-1"],
        ["#HttpOnly_www.youtube.com", "FALSE", "/", "FALSE", str(int(SOON)), "PREF", "yt-2"],
        ["music.youtube.com", "FALSE", "/", "FALSE", "0", "sess", "yt-3"],
    ])


async def test_a_second_upload_merges_and_the_rewritten_file_comes_back(vault, user, chrome_cookie):
    await _upload(vault, user, [chrome_cookie(domain=".a.example.com", name="k", value="v1"),
                                chrome_cookie(domain=".example.com", name="other", value="o")])
    await _upload(vault, user, [chrome_cookie(domain=".a.example.com", name="k", value="v2",
                                              expires=LATER)])
    url = "https://a.example.com/v"
    text = (await vault.get("/internal/jars/netscape", params={"user_id": str(user), "url": url})).text
    assert {c.name: c.value for c in parse_cookies(text)} == {"k": "v2", "other": "o"}
    # The downloader sends back what yt-dlp rewrote: a rotated value and a new cookie.
    # A cookie another site set during the run is not the user's jar: dropped.
    rewritten = (text.replace("\tv2", "\tv3") + ".example.com\tTRUE\t/\tTRUE\t0\tnew\tn\n"
                 + ".tracker.net\tTRUE\t/\tFALSE\t0\tid\tx\n")
    resp = await vault.put("/internal/jars/netscape",
                           json={"user_id": str(user), "url": url, "text": rewritten})
    assert [(s["site"], s["count"]) for s in resp.json()["sites"]] == [("example.com", 3)]
    listing = (await vault.get("/internal/jars", params={"user_id": str(user)})).json()
    assert [j["site"] for j in listing] == ["example.com"]
    text = (await vault.get("/internal/jars/netscape", params={"user_id": str(user), "url": url})).text
    assert {c.name: c.value for c in parse_cookies(text)} == {"k": "v3", "other": "o", "new": "n"}


async def test_concurrent_uploads_to_one_jar_lose_nothing(vault, user, chrome_cookie):
    uploads = [vault.post("/internal/jars", json={"user_id": str(user), "cookies": [
        chrome_cookie(domain=".busy.com", name=f"c{i}", value=str(i))]}) for i in range(12)]
    assert {r.status_code for r in await asyncio.gather(*uploads)} == {200}
    listing = (await vault.get("/internal/jars", params={"user_id": str(user)})).json()
    assert listing[0]["count"] == 12


async def test_exactly_5000_cookies_are_accepted(vault, user, chrome_cookie):
    cookies = [chrome_cookie(domain=f".s{i % 50}.com", name=f"c{i}", value="x" * 100)
               for i in range(5_000)]
    got = await _upload(vault, user, cookies)
    assert len(got["sites"]) == 50 and {s["count"] for s in got["sites"]} == {100}
    text = (await vault.get("/internal/jars/netscape",
                            params={"user_id": str(user), "url": "http://s7.com/"})).text
    assert len([ln for ln in text.splitlines() if ln.startswith(".s7.com\t")]) == 100


async def test_delete_and_user_isolation(vault, user, chrome_cookie):
    other = uuid.uuid4()
    await _upload(vault, user, [chrome_cookie(domain=".a.com", name="n", value="v")])
    assert (await vault.get("/internal/jars", params={"user_id": str(other)})).json() == []
    export = await vault.get("/internal/jars/netscape",
                             params={"user_id": str(other), "url": "https://a.com/"})
    assert export.status_code == 404 and export.json()["detail"] == "no cookies stored for a.com"
    assert (await vault.delete("/internal/jars/a.com", params={"user_id": str(other)})).status_code == 404
    assert len((await vault.get("/internal/jars", params={"user_id": str(user)})).json()) == 1
    assert (await vault.delete("/internal/jars/a.com", params={"user_id": str(user)})).status_code == 204
    assert (await vault.get("/internal/jars", params={"user_id": str(user)})).json() == []
    assert (await vault.delete("/internal/jars/a.com", params={"user_id": str(user)})).status_code == 404


async def test_every_route_needs_the_service_token(vault, user):
    for method, path in [("GET", "/internal/jars"), ("POST", "/internal/jars"),
                         ("GET", "/internal/jars/netscape"), ("PUT", "/internal/jars/netscape"),
                         ("DELETE", "/internal/jars/a.com")]:
        resp = await vault.request(method, path, params={"user_id": str(user)},
                                   headers={"authorization": "Bearer wrong"})
        assert resp.status_code == 401, (method, path)
    assert (await vault.get("/healthz", headers={"authorization": ""})).status_code == 200


async def test_malformed_uploads_are_refused_clearly_and_store_nothing(vault, user, chrome_cookie, db):
    secret = f"do-not-echo-{uuid.uuid4().hex}"
    good = chrome_cookie(domain=".ok.com", name="n", value=secret)
    cases = [
        (b"{not json", 422, "the body is not valid JSON"),
        ({"cookies": [good]}, 422, "user_id: Field required"),
        ({"user_id": str(user), "cookies": [{"name": "n", "domain": ".a.com"}]}, 422,
         "cookies[0].value: Field required"),
        ({"user_id": str(user), "cookies": [good] * 5_001}, 413,
         "too many cookies: at most 5,000 per upload, got 5,001"),
        ({"user_id": str(user), "cookies": [good, {**good, "value": secret + "x" * 10_240}]}, 422,
         "cookies[1].value: is longer than 4096 bytes"),
        ({"user_id": str(user), "cookies": [good, {**good, "domain": "https://ok.com"}]}, 422,
         "cookies[1].domain: must be a host name"),
        ({"user_id": str(user), "cookies": [{**good, "expirationDate": "tomorrow"}]}, 422,
         "cookies[0].expirationDate"),
    ]
    for body, status, message in cases:
        content = body if isinstance(body, bytes) else orjson.dumps(body)
        resp = await vault.post("/internal/jars", content=content,
                                headers={"content-type": "application/json"})
        assert resp.status_code == status, (message, resp.text)
        assert message in resp.json()["detail"]
        assert secret not in resp.text
    bad_file = f"{HEADER}\n.ok.com\tTRUE\t/\tFALSE\t0\tn\t{secret}\textra\n"
    resp = await vault.put("/internal/jars/netscape",
                           json={"user_id": str(user), "url": "https://ok.com/", "text": bad_file})
    assert resp.status_code == 422 and "line 2: expected 7 tab-separated fields" in resp.text
    assert secret not in resp.text
    resp = await vault.get("/internal/jars/netscape", params={"user_id": "nobody", "url": "x"})
    assert resp.status_code == 422 and "user_id" in resp.json()["detail"]
    resp = await vault.get("/internal/jars/netscape",
                           params={"user_id": str(user), "url": "file:///etc/passwd"})
    assert resp.status_code == 422 and "absolute http(s) URL" in resp.json()["detail"]
    assert await db.fetchval("SELECT count(*) FROM cookie_jars") == 0
    assert await db.fetchval("SELECT count(*) FROM outbox") == 0


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()
