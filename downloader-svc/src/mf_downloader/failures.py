"""How a failed download reads to a person (pure, no I/O).

yt-dlp's messages are for developers ("ERROR: [generic] Unable to download webpage:
HTTP Error 404 ..."): each failure gets a plain sentence saying what happened and what
to do, followed by the essence of the original message for whoever needs the detail.
"""
from __future__ import annotations

import errno
import re
from pathlib import Path

ESSENCE_MAX = 300

_HTTP = re.compile(r"HTTP Error (\d{3})")
_HTTP_REASONS = {
    401: "The site requires you to sign in to get this media (HTTP 401)",
    403: "The site refused access to this media (HTTP 403); it may need you to be signed "
         "in (send your cookies with the browser extension)",
    404: "The server says this media does not exist (HTTP 404)",
    410: "The server says this media has been removed (HTTP 410)",
    429: "The site is limiting requests right now (HTTP 429); try again later",
}
# (pattern, reason), first match wins: the specific before the general.
_RULE_TEXT: tuple[tuple[str, str], ...] = (
    (r"refused to let ffmpeg download",
     ("This stream needs ffmpeg to download it, and ffmpeg's connections cannot be checked "
     "for private addresses; it is refused while private networks are not allowed")),
    (r"refused to connect to|is a (loopback|private network|link-local|cloud metadata) address",
     "This address is on a private or local network, which this server may not fetch from"),
    (r"No space left on device|Errno 28",
     "The media volume is full (no space left on device)"),
    (r"Read-only file system|Errno 30",
     "The media volume is read-only, so nothing can be downloaded; check how it is mounted"),
    (r"no audio or video stream",
     "The address does not lead to a video or audio file (what it serves is not media)"),
    (r"Unsupported URL",
     ("No video or audio was found at this address (the site is not supported and the page "
      "has no embedded media)")),
    ((r"Name or service not known|Failed to resolve|name resolution|nodename nor servname"
      r"|getaddrinfo failed|No address associated"),
     "The site's address could not be found (the DNS lookup failed)"),
    (r"Connection refused",
     "The site refused the connection (nothing is listening at that address)"),
    (r"timed? ?out",
     "The site did not answer in time (the connection timed out)"),
    (r"Connection reset|RemoteDisconnected|IncompleteRead|Connection aborted|Broken pipe",
     "The connection to the site broke off during the download"),
    (r"CERTIFICATE_VERIFY_FAILED|SSL",
     "The site's secure connection could not be verified (TLS error)"),
    (r"private video|video is private",
     "This media is private"),
    (r"Sign in to confirm|login required|log in to|members.only|requires authentication",
     ("The site requires you to be signed in to get this media (send your cookies with the "
      "browser extension)")),
    (r"DRM",
     "This media is DRM-protected and cannot be downloaded"),
    (r"live event will begin|Premieres in|is live|is not a finished",
     "This is a live stream or has not started yet; only finished videos can be downloaded"),
    (r"Requested format is not available|No video formats found",
     "None of the formats the site offers could be downloaded"),
    (r"ffmpeg|ffprobe|Postprocessing|Conversion failed|merg",
     "The downloaded video and audio could not be put together (ffmpeg failed)"),
    (r"Video unavailable|not available|geo.?restrict|in your country",
     "The site says this media is not available (removed, or blocked in this region)"),
)
_RULES = tuple((re.compile(pattern, re.IGNORECASE), reason) for pattern, reason in _RULE_TEXT)
_BOILERPLATE = re.compile(r";?\s*please report this issue on.*$", re.IGNORECASE | re.DOTALL)
_CAUSED_BY = re.compile(r"\s*\(caused by .*$", re.DOTALL)


def essence(message: str) -> str:
    """yt-dlp's message without its prefix, cause chain and bug-report boilerplate."""
    text = _BOILERPLATE.sub("", message or "")
    text = _CAUSED_BY.sub("", text)
    text = re.sub(r"^\s*ERROR:\s*", "", text)
    text = re.sub(r"^\[\w+\] Unexpected error: \w+: ", "", text)
    text = " ".join(text.split())
    return text if len(text) <= ESSENCE_MAX else text[:ESSENCE_MAX - 1] + "…"


def failure_reason(message: str) -> str:
    """A sentence a person understands, then what yt-dlp said (for whoever digs deeper)."""
    detail = essence(message)
    match = _HTTP.search(message or "")
    plain = None
    if match:
        code = int(match.group(1))
        plain = _HTTP_REASONS.get(code) or (
            f"The site had an internal problem (HTTP {code}); try again later" if code >= 500
            else f"The site answered with an error (HTTP {code})")
    if plain is None:
        plain = next((reason for pattern, reason in _RULES if pattern.search(message or "")),
                     "The download failed")
    return f"{plain} — {detail}" if detail else plain


# The media volume refusing writes: retrying the job changes nothing until an operator
# acts, so these end the job at once with plain words (as the library does), instead of
# being redelivered until the bus gives up with "repeated internal errors".
_DISK_REASONS = {
    errno.ENOSPC: "The media volume is full (no space left on device); free some space and "
                  "submit the link again",
    errno.EDQUOT: "The media volume's quota is used up; free some space and submit the link again",
    errno.EROFS: "The media volume is read-only, so nothing can be downloaded; check how it "
                 "is mounted",
    errno.EACCES: "The downloader may not write to the media volume (permission denied); "
                  "check the owner of the media folder",
}


def disk_failure_reason(exc: OSError, *, media_root: Path) -> str | None:
    """Plain words for a media-volume failure retrying will not fix; None otherwise."""
    reason = _DISK_REASONS.get(exc.errno or 0)
    if reason is None:
        return None
    if exc.errno == errno.EACCES and not str(exc.filename or "").startswith(str(media_root)):
        return None  # permission trouble elsewhere is not the volume's
    return reason


def worker_died_reason(returncode: int | None) -> str:
    """The download process ended without saying why (OOM killer, a crash)."""
    if returncode is not None and returncode < 0:
        how = f"it was killed by signal {-returncode}"
    else:
        how = f"it exited with code {returncode}"
    return f"The download process stopped unexpectedly ({how}); try again"


# In the words failure_reason uses: the site asking who the user is.
_SIGN_IN_MARKS = ("(HTTP 401)", "(HTTP 403)", "signed in", "sign in", "is private")


def needs_sign_in(reason: str) -> bool:
    """Whether a failure (as `failure_reason` words it) is one the user's cookies may cure."""
    return any(mark in reason for mark in _SIGN_IN_MARKS)
