"""Extension tokens, pairing, scopes and CORS."""
from __future__ import annotations

ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"  # as in conftest.py


async def test_token_shown_once_listed_used_and_revoked(gateway):
    admin = await gateway.signup()
    async with gateway.client(admin) as c:
        made = (await c.post("/api/tokens", json={"name": "laptop", "scopes": ["submit"]})).json()
        assert made["token"].startswith(f"mfx_{made['prefix']}_")
        listed = (await c.get("/api/tokens")).json()
        assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0]
    async with gateway.client(made["token"]) as ext:
        assert (await ext.get("/api/jobs")).status_code == 200
        upload = await ext.post("/api/cookies", json={"cookies": []})
        assert upload.status_code == 403 and "cookies" in upload.json()["detail"]
        # an extension token cannot mint tokens or pair more devices
        assert (await ext.post("/api/tokens", json={"name": "x"})).status_code == 403
        assert (await ext.post("/api/extension/pairing")).status_code == 403
    async with gateway.client(admin) as c:
        assert (await c.get("/api/tokens")).json()[0]["last_used_at"] is not None
        assert (await c.delete(f"/api/tokens/{made['id']}")).status_code == 204
        assert (await c.delete(f"/api/tokens/{made['id']}")).status_code == 404
    async with gateway.client(made["token"]) as ext:
        r = await ext.get("/api/jobs")
        assert r.status_code == 401 and "revoked" in r.json()["detail"]


async def test_pairing_code_is_traded_once_for_a_token(gateway):
    admin = await gateway.signup()
    async with gateway.client(admin) as c:
        pairing = (await c.post("/api/extension/pairing")).json()
    assert len(pairing["code"]) == 9 and set(pairing["scopes"]) == {"submit", "cookies"}
    typed = pairing["code"].lower().replace("-", " ")  # as a person might type it
    async with gateway.client() as anon:
        r = await anon.post("/api/extension/token", json={"code": typed, "name": "Chromium"})
        assert r.status_code == 201, r.text
        token = r.json()["token"]
        again = await anon.post("/api/extension/token", json={"code": pairing["code"]})
        assert again.status_code == 400 and "used" in again.json()["detail"]
    async with gateway.client(token) as ext:
        assert (await ext.get("/api/jobs")).status_code == 200


async def test_expired_pairing_code_is_refused(gateway):
    admin = await gateway.signup()
    async with gateway.client(admin) as c:
        code = (await c.post("/api/extension/pairing")).json()["code"]
    import asyncpg
    conn = await asyncpg.connect(gateway.settings.database_url)
    await conn.execute(f"UPDATE {gateway.settings.db_schema_prefix}gateway.pairing_codes"
                       " SET expires_at = now() - interval '1 second'")
    await conn.close()
    async with gateway.client() as anon:
        assert (await anon.post("/api/extension/token", json={"code": code})).status_code == 400


async def test_guessing_pairing_codes_is_rate_limited(gateway):
    async with gateway.client() as anon:
        codes = [(await anon.post("/api/extension/token", json={"code": f"AAAA-{i:04d}"})).status_code
                 for i in range(12)]
    assert codes[:10] == [400] * 10 and codes[-1] == 429


async def test_cors_allows_the_extension_origin_only(gateway):
    async with gateway.client() as c:
        ok = await c.options("/api/jobs", headers={
            "origin": ORIGIN, "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type"})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == ORIGIN
        evil = await c.options("/api/jobs", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST",
            "access-control-request-headers": "authorization"})
        assert evil.status_code == 400
        assert "access-control-allow-origin" not in evil.headers
        simple = await c.get("/api/setup", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in simple.headers
