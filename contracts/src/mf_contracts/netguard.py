"""The SSRF guard: which URLs MediaFetcher may fetch.

Checked twice: when a URL is submitted (a clear 422 for the user) and inside the
download process on every name resolution (`guard_resolver`), so redirects and DNS
rebinding to private addresses are refused too.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

MAX_URL_LENGTH = 4096
ALLOWED_SCHEMES = ("http", "https")
# Cloud metadata endpoints, refused even when private networks are allowed.
METADATA_HOSTS = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UrlRefused(ValueError):
    """The URL may not be fetched; the message says why, for the user."""


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *,
                    allow_private: bool) -> str | None:
    """Why this address may not be contacted, or None if it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA_HOSTS:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_private else f"{ip} is a loopback address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return f"{ip} is not a routable address"
    if allow_private:
        return None
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_private or not ip.is_global:
        return f"{ip} is a private network address"
    return None


def check_url_syntax(url: str) -> tuple[str, int | None]:
    """Scheme, host and length checks that need no DNS; returns (host, port)."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"URL is longer than {MAX_URL_LENGTH} characters")
    # urlsplit silently drops tabs and newlines, so the host checked here could differ
    # from what another parser makes of the stored URL; a NUL, or a lone surrogate,
    # cannot even be stored (they made POST /api/jobs answer 500: tests/faults).
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in url.strip()):
        raise UrlRefused("the URL contains control characters")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise UrlRefused("the URL is not valid text (a lone surrogate)") from None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UrlRefused(f"only http and https URLs can be fetched, not {parts.scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise UrlRefused("the URL has no host")
    if parts.username or parts.password:
        raise UrlRefused("URLs with credentials in them are not accepted")
    return parts.hostname, port


def resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = _REAL_GETADDRINFO(host, None, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UrlRefused(f"cannot resolve {host}: {exc.strerror}") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_url(url: str, *, allow_private: bool) -> str:
    """Refuse URLs MediaFetcher must not fetch; returns the stripped URL."""
    host, _ = check_url_syntax(url)
    for ip in resolve(host):
        reason = address_refusal(ip, allow_private=allow_private)
        if reason:
            raise UrlRefused(f"{host} resolves to {reason}")
    return url.strip()


_REAL_GETADDRINFO = socket.getaddrinfo


def guard_resolver(*, allow_private: bool) -> None:
    """Patch socket.getaddrinfo in this process so every connection is checked.

    Meant for the download worker process, which runs nothing but yt-dlp: every redirect
    hop and every re-resolution goes through here.
    """

    def guarded(host, port, *args, **kwargs):
        infos = _REAL_GETADDRINFO(host, port, *args, **kwargs)
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%")[0])
            reason = address_refusal(ip, allow_private=allow_private)
            if reason:
                raise UrlRefused(f"refused to connect to {host}: {reason}")
        return infos

    socket.getaddrinfo = guarded


def hosts_of(urls: Iterable[str]) -> set[str]:
    return {urlsplit(u).hostname or "" for u in urls}
