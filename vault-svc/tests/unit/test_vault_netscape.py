"""The Netscape cookie file: what the vault writes, yt-dlp's own loader reads back, and
what yt-dlp writes, the vault reads back."""
from __future__ import annotations

import time

import pytest
from mf_vault.domain import Cookie
from mf_vault.netscape import HEADER, NetscapeError, format_cookies, parse_cookies
from yt_dlp.cookies import YoutubeDLCookieJar

NOW = time.time()
COOKIES = [
    Cookie(domain=".example.com", name="SID", value="a b=c;d", path="/", secure=True,
           http_only=True, expires=float(int(NOW) + 3600)),
    Cookie(domain="www.example.com", name="pref", value="dark", path="/watch", secure=False,
           expires=None),
    Cookie(domain="127.0.0.1", name="", value="bare", path="/"),
]


def test_format_then_parse_round_trips_flags_httponly_and_session_cookies():
    text = format_cookies(COOKIES)
    assert text.splitlines()[0] == HEADER
    assert parse_cookies(text) == COOKIES


def test_lines_have_the_seven_fields_in_order():
    lines = [ln for ln in format_cookies(COOKIES).splitlines()[1:] if ln and not ln.startswith("# ")]
    assert lines[0] == f"#HttpOnly_.example.com\tTRUE\t/\tTRUE\t{int(NOW) + 3600}\tSID\ta b=c;d"
    assert lines[1] == "www.example.com\tFALSE\t/watch\tFALSE\t0\tpref\tdark"


def test_yt_dlp_loads_what_the_vault_writes(tmp_path):
    path = tmp_path / "cookies.txt"
    path.write_text(format_cookies(COOKIES))
    jar = YoutubeDLCookieJar(str(path))
    jar.load()
    got = {(c.domain, c.name or "", c.path): c for c in jar}
    sid = got[(".example.com", "SID", "/")]
    assert sid.value == "a b=c;d" and sid.secure and sid.expires == int(NOW) + 3600
    assert got[("www.example.com", "pref", "/watch")].expires is None  # session
    # ... and the vault reads what yt-dlp writes back (it drops #HttpOnly_ on the way)
    jar.save()
    back = {c.key: c for c in parse_cookies(path.read_text())}
    assert back[(".example.com", "SID", "/")].value == "a b=c;d"
    assert back[("www.example.com", "pref", "/watch")].expires is None
    assert set(back) == {c.key for c in COOKIES}


def test_comments_blank_lines_and_crlf_are_ignored():
    text = f"{HEADER}\r\n# a comment\r\n\r\n.a.com\tTRUE\t/\tFALSE\t0\tn\tv\r\n"
    assert parse_cookies(text) == [Cookie(domain=".a.com", name="n", value="v")]


def test_the_flag_decides_the_leading_dot():
    text = "a.com\tTRUE\t/\tFALSE\t0\tn\tv\n.b.com\tFALSE\t/\tFALSE\t0\tn\tv\n"
    assert [c.domain for c in parse_cookies(text)] == [".a.com", "b.com"]


@pytest.mark.parametrize(("line", "problem"), [
    ("a.com\tTRUE\t/\tFALSE\t0\tn", "expected 7 tab-separated fields, found 6"),
    ("a.com\tyes\t/\tFALSE\t0\tn\tv", "flags must be TRUE or FALSE"),
    ("a.com\tTRUE\t/\tFALSE\tsoon\tn\tv", "expiry must be a number"),
    ("https://a.com\tTRUE\t/\tFALSE\t0\tn\tsecret-value-123", "domain must be a host name"),
])
def test_bad_lines_are_refused_with_the_line_number_but_not_the_content(line, problem):
    with pytest.raises(NetscapeError) as err:
        parse_cookies(f"{HEADER}\n\n{line}\n")
    assert str(err.value).startswith("line 3: ") and problem in str(err.value)
    assert "secret-value-123" not in str(err.value)
