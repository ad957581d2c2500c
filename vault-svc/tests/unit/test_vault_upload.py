"""Chrome's cookie JSON into vault cookies, and the refusals (413/422) that never echo
a value."""
from __future__ import annotations

import uuid

import orjson
import pytest
from mf_vault.schemas import Rejected, checked_url, parse_netscape_upload, parse_upload

USER = uuid.uuid4()


def body(*cookies: dict, **extra) -> bytes:
    return orjson.dumps({"user_id": str(USER), "cookies": list(cookies), **extra})


def chrome(**over) -> dict:
    return {"name": "n", "value": "v", "domain": ".a.com", "hostOnly": False, "path": "/",
            "secure": True, "httpOnly": True, "sameSite": "no_restriction", "session": False,
            "expirationDate": 1_900_000_000.5, "storeId": "0", "partitionKey": {}, **over}


def test_chrome_fields_map_onto_the_vault_cookie():
    user, [c] = parse_upload(body(chrome()))
    assert user == USER
    assert (c.domain, c.secure, c.http_only, c.same_site, c.expires) == (
        ".a.com", True, True, "no_restriction", 1_900_000_000.5)


def test_host_only_and_session_are_honoured():
    _, [host, sess] = parse_upload(body(
        chrome(domain=".www.a.com", hostOnly=True),
        chrome(domain="a.com", hostOnly=False, session=True)))
    assert host.domain == "www.a.com" and host.host_only
    assert sess.domain == ".a.com" and sess.expires is None


def test_the_count_is_checked_before_the_cookies():
    with pytest.raises(Rejected) as err:
        parse_upload(body(*[{"junk": True}] * 5_001))
    assert err.value.status == 413


@pytest.mark.parametrize(("cookie", "where"), [
    (chrome(name="x" * 2000), "cookies[0].name: is longer than 1024 bytes"),
    (chrome(value="\x00SECRET"), "cookies[0].value: contains a control character"),
    (chrome(sameSite="maybe"), "cookies[0].sameSite: Input should be"),
    (chrome(domain=".a.com/path"), "cookies[0].domain: must be a host name"),
    (chrome(expirationDate=1e13), "cookies[0].expirationDate: must be seconds since 1970"),
])
def test_refusals_say_where_and_what(cookie, where):
    with pytest.raises(Rejected) as err:
        parse_upload(body(cookie))
    assert err.value.status == 422 and where in err.value.detail
    assert "SECRET" not in err.value.detail


def test_many_problems_are_summarised():
    with pytest.raises(Rejected) as err:
        parse_upload(body(*[chrome(domain="http://x")] * 5))
    assert err.value.detail.endswith("(and 2 more problems)")


def test_netscape_upload_checks_its_url():
    ok = orjson.dumps({"user_id": str(USER), "url": "https://a.com/x",
                       "text": ".a.com\tTRUE\t/\tFALSE\t0\tn\tv\n"})
    assert parse_netscape_upload(ok)[2][0].domain == ".a.com"
    for url in ("ftp://a.com/", "/relative", "https://", "http://[::1"):
        with pytest.raises(Rejected, match="absolute http"):
            checked_url(url)
