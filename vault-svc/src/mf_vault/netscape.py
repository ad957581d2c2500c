"""The Netscape cookie file (cookies.txt) that yt-dlp reads, and writes back after a run.

One cookie per line, seven tab-separated fields: domain, include-subdomains flag, path,
secure flag, expiry (integer seconds, 0 = session cookie), name, value. A line that
starts with `#HttpOnly_` is an HttpOnly cookie (curl's convention, which yt-dlp
understands); other `#` lines are comments. The flag and the domain's leading dot say
the same thing (yt-dlp's loader insists they agree), so the flag is derived from the dot.
Pure text in, cookies out: errors name the line, never its content.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import ValidationError

from .domain import Cookie

HEADER = "# Netscape HTTP Cookie File"
HTTPONLY_PREFIX = "#HttpOnly_"
_PREAMBLE = (f"{HEADER}\n"
             "# From MediaFetcher's vault: one user's cookies for one site. Keep it private.\n\n")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


class NetscapeError(ValueError):
    """A line of the file is not a cookie; says which line and what is wrong."""


def format_cookies(cookies: Iterable[Cookie]) -> str:
    lines = [_line(c) for c in cookies]
    return _PREAMBLE + "".join(f"{line}\n" for line in lines)


def _line(cookie: Cookie) -> str:
    domain = f"{HTTPONLY_PREFIX}{cookie.domain}" if cookie.http_only else cookie.domain
    expiry = "0" if cookie.expires is None else str(int(cookie.expires))
    return "\t".join((domain, _flag(not cookie.host_only), cookie.path, _flag(cookie.secure),
                      expiry, cookie.name, cookie.value))


def _flag(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def parse_cookies(text: str) -> list[Cookie]:
    """Every cookie in the file, in file order; raises NetscapeError on the first bad line."""
    cookies = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        http_only = line.startswith(HTTPONLY_PREFIX)
        if http_only:
            line = line[len(HTTPONLY_PREFIX):]
        if not line.strip() or line.startswith("#"):
            continue
        cookies.append(_parse_line(line, number=number, http_only=http_only))
    return cookies


def _parse_line(line: str, *, number: int, http_only: bool) -> Cookie:
    fields = line.split("\t")
    if len(fields) != 7:
        raise NetscapeError(f"line {number}: expected 7 tab-separated fields, found {len(fields)}")
    domain, subdomains, path, secure, expiry, name, value = fields
    if subdomains.upper() not in ("TRUE", "FALSE") or secure.upper() not in ("TRUE", "FALSE"):
        raise NetscapeError(f"line {number}: the flags must be TRUE or FALSE")
    if expiry and not _NUMBER.match(expiry):
        raise NetscapeError(f"line {number}: the expiry must be a number of seconds")
    bare = domain.lstrip(".")
    try:
        return Cookie(
            domain=f".{bare}" if subdomains.upper() == "TRUE" else bare,
            path=path, secure=secure.upper() == "TRUE", http_only=http_only,
            expires=float(expiry) if expiry and float(expiry) > 0 else None,
            name=name, value=value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))} {e['msg']}" for e in exc.errors())
        raise NetscapeError(f"line {number}: {problems}") from None
