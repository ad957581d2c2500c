"""Pure decisions of the vault service (no I/O): what a cookie is, which site it
belongs to, how a new batch merges into a stored jar, and what a jar's plaintext is.

Invariants kept here:
- A cookie's identity is (domain, name, path), as in browsers; a newer one replaces it.
- `domain` carries the host-only bit the Netscape way: a leading dot means "this domain
  and its subdomains", none means "this host only". Chrome's `hostOnly` is folded in.
- A stored jar never holds an expired cookie, and a jar with no cookies is not stored.
- Nothing in this module ever puts a cookie value into an error message.
"""
from __future__ import annotations

import ipaddress
import math
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

MAX_COOKIES_PER_UPLOAD = 5_000
# A site's jar never grows past this by merging (browsers keep ~180 per domain).
MAX_COOKIES_PER_JAR = 5_000
MAX_NAME_BYTES = 1_024
MAX_VALUE_BYTES = 4_096
MAX_PATH_BYTES = 1_024
MAX_DOMAIN_CHARS = 253
# 9999-12-31: anything later is not a real expiry (and would not fit a timestamptz sanely).
MAX_EXPIRY = 253_402_300_799.0
JAR_FORMAT = 1

_LABELS = re.compile(r"^\.?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
                     r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_IPV6 = re.compile(r"^\[[0-9a-f:.]+\]$")
# Tab and newline would break the Netscape file (one cookie per line, tab-separated);
# no browser stores other control characters in a cookie either.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class JarUnreadable(Exception):
    """The stored ciphertext did not authenticate (tampered with, wrong user/site, or
    sealed under a key this server does not hold). Never carries plaintext."""

    def __init__(self, *, site: str) -> None:
        self.site = site
        super().__init__(f"cookie jar for {site} failed authentication (tampered with, or "
                         "encrypted with a key this server no longer has)")


class JarTooLarge(Exception):
    def __init__(self, *, site: str, count: int) -> None:
        super().__init__(f"the cookie jar for {site} would hold {count:,} cookies; "
                         f"at most {MAX_COOKIES_PER_JAR:,} are kept per site")


def _bytes_at_most(limit: int):
    def check(text: str) -> str:
        if len(text.encode()) > limit:
            raise PydanticCustomError("too_long", "is longer than {limit} bytes", {"limit": limit})
        if _CONTROL.search(text):
            raise PydanticCustomError("control_char", "contains a control character (tab, "
                                      "newline…), which a cookie cannot hold")
        return text
    return check


def _hostname(text: str) -> str:
    host = text.lower()
    if not host or len(host) > MAX_DOMAIN_CHARS or not (_LABELS.match(host) or _IPV6.match(host)):
        raise PydanticCustomError("hostname", "must be a host name like '.example.com' "
                                  "(no scheme, port, path or spaces)")
    return host


def _expiry(value: float | None) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value < 0 or value > MAX_EXPIRY:
        raise PydanticCustomError("expiry", "must be seconds since 1970 before the year 10000")
    return float(value)


CookieName = Annotated[str, AfterValidator(_bytes_at_most(MAX_NAME_BYTES))]
CookieValue = Annotated[str, AfterValidator(_bytes_at_most(MAX_VALUE_BYTES))]
CookiePath = Annotated[str, AfterValidator(_bytes_at_most(MAX_PATH_BYTES))]
CookieDomain = Annotated[str, AfterValidator(_hostname)]
Expiry = Annotated[float | None, AfterValidator(_expiry)]
SameSite = Literal["no_restriction", "lax", "strict", "unspecified"]


class Cookie(BaseModel):
    """One cookie as the vault keeps it. `expires` None = a session cookie."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    domain: CookieDomain
    name: CookieName
    value: CookieValue
    path: CookiePath = "/"
    secure: bool = False
    http_only: bool = False
    same_site: SameSite = "unspecified"
    expires: Expiry = None

    def __repr__(self) -> str:  # a stray log of a Cookie must not leak its value
        return f"Cookie(domain={self.domain!r}, name={self.name!r}, path={self.path!r})"

    __str__ = __repr__

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.domain, self.name, self.path)

    @property
    def host_only(self) -> bool:
        return not self.domain.startswith(".")

    def expired(self, *, now: float) -> bool:
        return self.expires is not None and self.expires <= now


def with_host_only(domain: str, *, host_only: bool | None) -> str:
    """Fold Chrome's `hostOnly` into the domain's leading dot (None: keep the dot as given)."""
    bare = domain.lstrip(".")
    if host_only is None:
        return domain
    return bare if host_only else f".{bare}"


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList  # parses the bundled list once

    return PublicSuffixList()


def site_of(host: str) -> str:
    """The registrable domain a cookie domain or URL host belongs to ('.www.youtube.com'
    → 'youtube.com', 'a.foo.co.uk' → 'foo.co.uk'). An IP address is its own site; so is
    a name with no registrable part ('localhost')."""
    bare = host.strip().lstrip(".").lower().strip("[]").rstrip(".")
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    return _psl().privatesuffix(bare) or bare


def group_by_site(cookies: Iterable[Cookie]) -> dict[str, list[Cookie]]:
    groups: dict[str, list[Cookie]] = {}
    for cookie in cookies:
        groups.setdefault(site_of(cookie.domain), []).append(cookie)
    return groups


def merge(existing: Iterable[Cookie], incoming: Iterable[Cookie], *, now: float,
          keep_unexpressed: bool = False) -> list[Cookie]:
    """The jar after `incoming` lands on `existing`: same (domain, name, path) replaced,
    later ones winning; expired ones dropped (an expired newcomer is how a site deletes
    a cookie, so it removes the stored one too). `keep_unexpressed`: the newcomers came
    from a Netscape file, which cannot say SameSite and usually loses HttpOnly, so those
    are inherited from the cookie being replaced."""
    jar = {c.key: c for c in existing}
    for cookie in incoming:
        old = jar.get(cookie.key)
        if keep_unexpressed and old is not None:
            cookie = cookie.model_copy(update={"same_site": old.same_site,
                                               "http_only": old.http_only or cookie.http_only})
        jar[cookie.key] = cookie
    return sorted((c for c in jar.values() if not c.expired(now=now)), key=lambda c: c.key)


def live(cookies: Iterable[Cookie], *, now: float) -> list[Cookie]:
    return [c for c in cookies if not c.expired(now=now)]


def earliest_expiry(cookies: Iterable[Cookie]) -> datetime | None:
    """When the jar first loses a cookie (session cookies never expire here)."""
    times = [c.expires for c in cookies if c.expires is not None]
    return datetime.fromtimestamp(min(times), tz=UTC) if times else None


def aad(*, user_id: uuid.UUID, site: str) -> bytes:
    """Authenticated data binding a ciphertext to its row: moved to another user or
    site, it no longer decrypts."""
    return f"mf-vault:v1|{user_id}|{site}".encode()


def jar_plaintext(cookies: Iterable[Cookie]) -> bytes:
    return orjson.dumps({"v": JAR_FORMAT, "cookies": [c.model_dump() for c in cookies]})


def jar_cookies(plaintext: bytes) -> list[Cookie]:
    """Inverse of `jar_plaintext`; the data was validated before it was sealed and the
    GCM tag vouches it is unchanged, so it is not validated again."""
    data = orjson.loads(plaintext)
    if data.get("v") != JAR_FORMAT:
        raise ValueError(f"unknown jar format {data.get('v')!r}")
    return [Cookie.model_construct(**c) for c in data["cookies"]]
