"""Accounts and sessions through real HTTP."""
from __future__ import annotations

import base64
import json
import uuid

from mf_gateway.security import issue_access_token


async def test_setup_works_once_then_login_and_me(gateway):
    token = await gateway.signup("alice", "correct horse")
    async with gateway.client() as c:
        again = await c.post("/api/setup", json={"username": "mallory", "password": "12345678x"})
        assert again.status_code == 409 and "sign in" in again.json()["detail"]
        assert (await c.get("/api/setup")).json() == {"needs_setup": False}
        bad = await c.post("/api/auth/login", json={"username": "alice", "password": "wrong one"})
        assert bad.status_code == 401 and bad.json()["detail"] == "wrong username or password"
    async with gateway.client(token) as c:
        me = (await c.get("/api/auth/me")).json()
        assert me["username"] == "alice" and me["is_admin"] is True


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(gateway):
    await gateway.signup("bob", "correct horse")
    async with gateway.client() as c:
        r = await c.post("/api/auth/login", json={"username": "bob", "password": "correct horse"})
        first = r.cookies["mf_refresh"]
        set_cookie = r.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/api/auth" in set_cookie
        r2 = await c.post("/api/auth/refresh")
        assert r2.status_code == 200 and r2.json()["access_token"]
        second = r2.cookies["mf_refresh"]
        assert second != first
    async with gateway.client(cookies={"mf_refresh": first}) as thief:
        stolen = await thief.post("/api/auth/refresh")
        assert stolen.status_code == 401 and "reused" in stolen.json()["detail"]
    async with gateway.client(cookies={"mf_refresh": second}) as owner:
        assert (await owner.post("/api/auth/refresh")).status_code == 401  # whole family ended


async def test_logout_ends_the_refresh_session(gateway):
    await gateway.signup("carol", "correct horse")
    async with gateway.client() as c:
        await c.post("/api/auth/login", json={"username": "carol", "password": "correct horse"})
        token = c.cookies["mf_refresh"]
        assert (await c.post("/api/auth/logout")).status_code == 204
    async with gateway.client(cookies={"mf_refresh": token}) as c:
        assert (await c.post("/api/auth/refresh")).status_code == 401


async def test_tampered_expired_alg_none_and_foreign_tokens_get_401(gateway):
    token = await gateway.signup()
    header, claims, sig = token.split(".")
    tampered_claims = json.loads(base64.urlsafe_b64decode(claims + "=="))
    tampered_claims["adm"] = True
    tampered_claims["sub"] = str(uuid.uuid4())
    forged = ".".join([header, base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).decode().rstrip("="), sig])
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    me = uuid.UUID((await _me(gateway, token))["id"])
    expired, _ = issue_access_token(gateway.settings.jwt_secret, user_id=me, is_admin=True, now=1_000_000)
    foreign, _ = issue_access_token("another-secret-key-of-someone-else!!", user_id=me, is_admin=True)
    for bad in (forged, f"{none_header}.{claims}.", expired, foreign, "garbage", token[:-3] + "abc"):
        async with gateway.client(bad) as c:
            r = await c.get("/api/auth/me")
            assert r.status_code == 401, bad
            assert r.headers["www-authenticate"] == "Bearer"
    async with gateway.client() as c:
        assert (await c.get("/api/jobs")).status_code == 401


async def test_only_admins_add_users(gateway):
    admin = await gateway.signup()
    dave = await gateway.add_user(admin, "dave")
    async with gateway.client(dave) as c:
        r = await c.post("/api/users", json={"username": "eve", "password": "password1"})
        assert r.status_code == 403
        assert (await c.get("/api/users")).status_code == 403
    async with gateway.client(admin) as c:
        names = [u["username"] for u in (await c.get("/api/users")).json()]
        assert "dave" in names
        dup = await c.post("/api/users", json={"username": "DAVE", "password": "password1"})
        assert dup.status_code == 409


async def _me(gateway, token):
    async with gateway.client(token) as c:
        return (await c.get("/api/auth/me")).json()
