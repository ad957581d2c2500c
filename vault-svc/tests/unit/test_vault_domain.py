"""Sites, merging, validation limits and the jar's plaintext."""
from __future__ import annotations

import uuid

import pytest
from mf_vault.domain import (
    Cookie,
    aad,
    earliest_expiry,
    group_by_site,
    jar_cookies,
    jar_plaintext,
    merge,
    site_of,
    with_host_only,
)
from pydantic import ValidationError

NOW = 1_800_000_000.0


def c(domain="a.com", name="n", value="v", path="/", **kw) -> Cookie:
    return Cookie(domain=domain, name=name, value=value, path=path, **kw)


@pytest.mark.parametrize(("host", "site"), [
    (".www.youtube.com", "youtube.com"), ("youtube.com", "youtube.com"),
    ("foo.co.uk", "foo.co.uk"), (".a.b.foo.co.uk", "foo.co.uk"),
    ("user.github.io", "user.github.io"), ("127.0.0.1", "127.0.0.1"), ("[::1]", "::1"),
    ("localhost", "localhost"), ("WWW.Example.COM.", "example.com"),
])
def test_site_is_the_registrable_domain(host, site):
    assert site_of(host) == site


def test_grouping_puts_subdomains_of_one_site_together():
    cookies = [c(".www.youtube.com"), c("music.youtube.com"), c(".bbc.co.uk"), c("127.0.0.1")]
    groups = group_by_site(cookies)
    assert {k: len(v) for k, v in groups.items()} == {"youtube.com": 2, "bbc.co.uk": 1,
                                                       "127.0.0.1": 1}


def test_merge_replaces_same_domain_name_path_and_keeps_the_rest():
    old = [c(name="a", value="1"), c(name="b", value="1"), c(name="a", value="1", path="/x"),
           c(".a.com", name="a", value="1")]
    jar = merge(old, [c(name="a", value="2")], now=NOW)
    assert {(x.domain, x.name, x.path): x.value for x in jar} == {
        ("a.com", "a", "/"): "2", ("a.com", "b", "/"): "1", ("a.com", "a", "/x"): "1",
        (".a.com", "a", "/"): "1"}


def test_merge_drops_expired_cookies_and_an_expired_newcomer_deletes_the_stored_one():
    old = [c(name="stale", expires=NOW - 1), c(name="gone", expires=NOW + 99), c(name="keep")]
    jar = merge(old, [c(name="gone", value="", expires=NOW - 5)], now=NOW)
    assert [x.name for x in jar] == ["keep"]


def test_merge_from_netscape_keeps_what_the_file_cannot_say():
    old = [c(name="s", http_only=True, same_site="strict")]
    jar = merge(old, [c(name="s", value="rotated")], now=NOW, keep_unexpressed=True)
    assert (jar[0].value, jar[0].http_only, jar[0].same_site) == ("rotated", True, "strict")
    plain = merge(old, [c(name="s", value="rotated")], now=NOW)
    assert (plain[0].http_only, plain[0].same_site) == (False, "unspecified")


def test_earliest_expiry_ignores_session_cookies():
    assert earliest_expiry([c(expires=None)]) is None
    got = earliest_expiry([c(name="x", expires=NOW + 10), c(name="y", expires=NOW + 5), c()])
    assert got.timestamp() == NOW + 5


def test_host_only_is_folded_into_the_leading_dot():
    assert with_host_only(".a.com", host_only=True) == "a.com"
    assert with_host_only("a.com", host_only=False) == ".a.com"
    assert with_host_only(".a.com", host_only=None) == ".a.com"


@pytest.mark.parametrize(("field", "bad", "message"), [
    ("value", "x" * 4097, "longer than 4096 bytes"),
    ("value", "é" * 2049, "longer than 4096 bytes"),  # bytes, not characters
    ("value", "a\tb", "control character"),
    ("domain", "https://a.com", "host name"), ("domain", "a.com:80", "host name"),
    ("domain", "a com", "host name"), ("domain", "", "host name"),
    ("expires", float("nan"), "seconds since 1970"), ("expires", -1.0, "seconds since 1970"),
])
def test_limits(field, bad, message):
    with pytest.raises(ValidationError) as err:
        c(**{field: bad})
    assert message in str(err.value)


def test_repr_never_shows_the_value():
    assert "hunter2" not in repr(c(value="hunter2")) and "hunter2" not in str(c(value="hunter2"))


def test_plaintext_round_trip_and_aad_binds_user_and_site():
    jar = [c(name="a", expires=NOW), c(".b.com", name="b", http_only=True, same_site="lax")]
    assert jar_cookies(jar_plaintext(jar)) == jar
    u1, u2 = uuid.uuid4(), uuid.uuid4()
    assert len({aad(user_id=u1, site="a.com"), aad(user_id=u2, site="a.com"),
                aad(user_id=u1, site="b.com")}) == 3
