"""Keys over time: a new key with the old one kept readable, `mf vault rotate-key`
moving every jar to the new key (twice is harmless), jars under an unknown key kept
and reported; and production refusing to start without a key."""
from __future__ import annotations

import asyncio
import base64
import os
import sys
import uuid

from mf_testkit.infra import settings_env
from mf_testkit.pipeline import running
from mf_vault.adapters.aesgcm import KeyRing, key_id, parse_key
from mf_vault.app import SPEC
from mf_vault.domain import Cookie, aad, jar_plaintext

LONG_SECRET = "p" * 40


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


async def _run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode(), err.decode()


async def _rotate(settings) -> tuple[int, str, str]:
    return await _run("-m", "mf_contracts.cli.main", "vault", "rotate-key",
                      env=settings_env(settings))


async def _insert_under_lost_key(db, *, user: uuid.UUID, site: str) -> str:
    lost = KeyRing(current=os.urandom(32))
    jar = [Cookie(domain=f".{site}", name="n", value="v")]
    sealed = lost.seal(jar_plaintext(jar), aad=aad(user_id=user, site=site))
    await db.execute("INSERT INTO cookie_jars (user_id, site, key_id, nonce, ciphertext,"
                     " cookie_count) VALUES ($1, $2, $3, $4, $5, 1)",
                     user, site, sealed.key_id, sealed.nonce, sealed.ciphertext)
    return sealed.key_id


async def _values(vault, user: uuid.UUID, site: str) -> dict[str, str] | int:
    resp = await vault.get("/internal/jars/netscape",
                           params={"user_id": str(user), "url": f"https://{site}/"})
    if resp.status_code != 200:
        return resp.status_code
    return {ln.split("\t")[5]: ln.split("\t")[6] for ln in resp.text.splitlines()
            if ln and not ln.startswith("# ")}


async def test_rotation_keeps_every_jar_readable(vault_settings, start_vault, chrome_cookie, db):
    k1, k2 = vault_settings.vault_key, _new_key()
    jars = {(uuid.uuid4(), site): f"val-{site}" for site in ("a.com", "b.com")}
    jars[(uuid.uuid4(), "a.com")] = "val-other-user"
    async with start_vault(vault_settings) as vault:
        for (user, site), value in jars.items():
            await vault.post("/internal/jars", json={"user_id": str(user), "cookies": [
                chrome_cookie(domain=f".{site}", name="n", value=value)]})
    lost_user = uuid.uuid4()
    lost_id = await _insert_under_lost_key(db, user=lost_user, site="lost.com")

    both = vault_settings.model_copy(update={"vault_key": k2, "vault_old_keys": [k1]})
    async with start_vault(both) as vault:
        for (user, site), value in jars.items():
            assert await _values(vault, user, site) == {"n": value}
        assert await _values(vault, lost_user, "lost.com") == 409
        code, out, _ = await _rotate(both)  # while the service runs
    assert code == 2, out
    assert "re-encrypted:    3" in out and "unknown key:     1" in out
    assert f"unknown key {lost_id}: user {lost_user} site lost.com (kept" in out
    rows = dict(await db.fetch("SELECT site || user_id, key_id FROM cookie_jars"))
    k2_id = key_id(parse_key(k2))
    assert sorted(rows.values()) == sorted([k2_id] * 3 + [lost_id])

    code, out, _ = await _rotate(both)
    assert code == 2 and "re-encrypted:    0" in out and "already current: 3" in out

    only_k2 = vault_settings.model_copy(update={"vault_key": k2, "vault_old_keys": []})
    async with start_vault(only_k2) as vault:
        for (user, site), value in jars.items():
            assert await _values(vault, user, site) == {"n": value}
        assert await _values(vault, lost_user, "lost.com") == 409
    assert await db.fetchval("SELECT count(*) FROM cookie_jars WHERE site = 'lost.com'") == 1


async def test_rotate_refuses_to_run_without_a_key(vault_settings):
    code, _, err = await _rotate(vault_settings.model_copy(update={"vault_key": ""}))
    assert code == 1 and "MF_VAULT_KEY is not set" in err and "openssl rand -base64 32" in err
    assert "Traceback" not in err


async def test_production_refuses_to_start_without_a_valid_key(vault_settings):
    prod = vault_settings.model_copy(update={"env": "production", "jwt_secret": LONG_SECRET,
                                             "service_token": LONG_SECRET})
    for bad in ("", "too-short"):
        env = settings_env(prod.model_copy(update={"vault_key": bad}))
        code, _, err = await asyncio.wait_for(_run("-m", "mf_vault", env=env), 60)
        assert code == 1, err
        assert "mf-vault refuses to start: MF_VAULT_KEY" in err
        assert "openssl rand -base64 32" in err and "Traceback" not in err
    async with running(prod, [SPEC]):  # with a key it starts
        pass
