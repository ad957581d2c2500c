"""Cookie values exist in clear nowhere but in the export: not in the table, not in the
event log, not on Redis, not in logs. A ciphertext changed or moved does not open."""
from __future__ import annotations

import io
import time
import uuid

from mf_contracts.events import Stream
from mf_testkit.pipeline import watching
from mf_vault.app import SPEC


async def _copy(db, query: str, *, fmt: str) -> bytes:
    out = io.BytesIO()
    await db.copy_from_query(query, output=out, format=fmt)
    return out.getvalue()


async def _raw_dump(db, schema: str) -> bytes:
    """The tables' bytes as Postgres hands them out: binary COPY (bytea as raw bytes)
    and text COPY (bytea as hex), so a value stored in clear would be found either way."""
    dump = b""
    for table in ("cookie_jars", "outbox"):
        for fmt in ("binary", "text"):
            dump += await _copy(db, f"SELECT * FROM {schema}.{table}", fmt=fmt)
    return dump


async def test_no_cookie_value_in_the_database_events_redis_or_logs(
        capfd, start_vault, vault_settings, user, chrome_cookie, db):
    # Started here, not by a fixture: the service's log output is bound to stderr as it
    # is at start, and capfd captures only the test's call phase.
    value = f"v4lue-{uuid.uuid4().hex}"
    async with start_vault(vault_settings) as vault:
        await _store_export_reimport_delete(vault, user=user, value=value,
                                            cookie=chrome_cookie(domain=".secret.example",
                                                                 name="token", value=value,
                                                                 expires=time.time() + 600))
        dump = await _raw_dump(db, SPEC.schema_in(vault_settings))
        assert b"secret.example" in dump  # the search works: the site is stored in clear
        for needle in (value.encode(), value.encode().hex().encode()):
            assert needle not in dump
        await _check_events(vault_settings, user=user, value=value)
    logs = capfd.readouterr()
    assert "cookie jars stored" in logs.err and "secret.example" in logs.err
    assert value not in logs.out + logs.err


async def _store_export_reimport_delete(vault, *, user, value, cookie) -> None:
    body = {"user_id": str(user), "cookies": [cookie]}
    resp = await vault.post("/internal/jars", json=body)
    assert resp.status_code == 200 and value not in resp.text
    url = "https://secret.example/"
    export = await vault.get("/internal/jars/netscape", params={"user_id": str(user), "url": url})
    assert value in export.text  # the one place it may appear
    await vault.put("/internal/jars/netscape",
                    json={"user_id": str(user), "text": export.text, "url": url})
    await vault.delete("/internal/jars/secret.example", params={"user_id": str(user)})
    assert (await vault.post("/internal/jars", json=body)).status_code == 200


async def _check_events(settings, *, user, value) -> None:
    deadline = time.monotonic() + 20
    async with watching(settings) as watch:
        while len([e for e in watch.events if e.stream == Stream.VAULT]) < 4:
            assert time.monotonic() < deadline, [e.type for e in watch.events]
            await watch.poll()
        events = [e for e in watch.events if e.stream == Stream.VAULT]
    assert [(e.type, e.payload.site) for e in events] == [
        ("CookieJarStored", "secret.example"), ("CookieJarStored", "secret.example"),
        ("CookieJarDeleted", "secret.example"), ("CookieJarStored", "secret.example")]
    assert all(e.user_id == user for e in events)
    assert len({e.correlation_id for e in events}) == 4  # one per upload/delete
    raw_stream = await watch_raw(settings)
    assert b"secret.example" in raw_stream and value.encode() not in raw_stream


async def watch_raw(settings) -> bytes:
    from redis.asyncio import Redis

    redis = Redis.from_url(settings.redis_url)
    try:
        entries = await redis.xrange(f"{settings.redis_prefix}stream:{Stream.VAULT}")
    finally:
        await redis.aclose()
    return b"".join(v for _, fields in entries for v in fields.values())


async def test_a_flipped_bit_fails_authentication_and_other_jars_still_work(
        vault, user, chrome_cookie, db):
    await vault.post("/internal/jars", json={"user_id": str(user), "cookies": [
        chrome_cookie(domain=".one.com", name="a", value="1"),
        chrome_cookie(domain=".two.com", name="b", value="2")]})
    await db.execute("UPDATE cookie_jars SET ciphertext = set_byte(ciphertext, 7,"
                     " get_byte(ciphertext, 7) # 1) WHERE user_id = $1 AND site = 'one.com'", user)
    broken = await vault.get("/internal/jars/netscape",
                             params={"user_id": str(user), "url": "https://www.one.com/"})
    assert broken.status_code == 409
    assert broken.json() == {"detail": "cookie jar for one.com failed authentication (tampered "
                                       "with, or encrypted with a key this server no longer has)"}
    fine = await vault.get("/internal/jars/netscape",
                           params={"user_id": str(user), "url": "https://two.com/"})
    assert fine.status_code == 200 and "\tb\t2" in fine.text
    # Sending the cookies again replaces the broken jar.
    await vault.post("/internal/jars", json={"user_id": str(user), "cookies": [
        chrome_cookie(domain=".one.com", name="a", value="again")]})
    healed = await vault.get("/internal/jars/netscape",
                             params={"user_id": str(user), "url": "https://one.com/"})
    assert healed.status_code == 200 and "\ta\tagain" in healed.text


async def test_a_ciphertext_copied_to_another_user_does_not_open(vault, user, chrome_cookie, db):
    victim = uuid.uuid4()
    for who in (user, victim):
        await vault.post("/internal/jars", json={"user_id": str(who), "cookies": [
            chrome_cookie(domain=".bank.com", name="s", value=f"of-{who}")]})
    await db.execute(
        "UPDATE cookie_jars AS b SET key_id = a.key_id, nonce = a.nonce, ciphertext = a.ciphertext"
        " FROM cookie_jars AS a WHERE a.user_id = $1 AND b.user_id = $2"
        " AND a.site = 'bank.com' AND b.site = 'bank.com'", victim, user)
    stolen = await vault.get("/internal/jars/netscape",
                             params={"user_id": str(user), "url": "https://bank.com/"})
    assert stolen.status_code == 409 and "bank.com failed authentication" in stolen.text
    assert f"of-{victim}" not in stolen.text
    own = await vault.get("/internal/jars/netscape",
                          params={"user_id": str(victim), "url": "https://bank.com/"})
    assert own.status_code == 200 and f"of-{victim}" in own.text
