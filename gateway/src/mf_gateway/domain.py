"""Pure decisions of the gateway: job states, scopes, codes, links. No I/O."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

STATUSES = ("queued", "downloading", "transcoding", "storing", "done", "failed", "cancelled")
TERMINAL = frozenset({"done", "failed", "cancelled"})
SCOPES = frozenset({"submit", "cookies"})
_RANK = {s: i for i, s in enumerate(STATUSES)}

# What each pipeline event means for its job: (status, stage).
EVENT_STATUS = {
    "UrlSubmitted": "queued",
    "DownloadStarted": "downloading",
    "MediaDownloaded": "transcoding",
    "MediaTranscoded": "storing",
    "LibraryItemAdded": "done",
    "DownloadFailed": "failed",
    "TranscodeFailed": "failed",
    "StoreFailed": "failed",
    "EventDeadLettered": "failed",
    "JobCancelled": "cancelled",
}


def next_status(current: str, proposed: str) -> str:
    """Jobs only move forward; a finished job stays finished (late events change nothing)."""
    if current in TERMINAL:
        return current
    if proposed in TERMINAL:
        return proposed
    return proposed if _RANK[proposed] > _RANK[current] else current


# Pairing codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_pairing_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(code: str) -> str:
    """Accept what people type: lower case, spaces, missing dash."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def sha256(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


@dataclass(frozen=True)
class ExtensionToken:
    prefix: str
    secret: str

    @property
    def value(self) -> str:
        return f"mfx_{self.prefix}_{self.secret}"


def new_extension_token() -> ExtensionToken:
    return ExtensionToken(prefix=secrets.token_hex(4), secret=secrets.token_urlsafe(32))


def parse_extension_token(value: str) -> ExtensionToken | None:
    parts = value.split("_", 2)
    if len(parts) != 3 or parts[0] != "mfx" or len(parts[1]) != 8:
        return None
    return ExtensionToken(prefix=parts[1], secret=parts[2])


def sign_link(secret: str, *, user_id: str, item_id: str, kind: str, expires: int) -> str:
    """HMAC for a media link: who, which item, what, until when."""
    msg = f"{user_id}|{item_id}|{kind}|{expires}".encode()
    mac = hmac.new(secret.encode(), msg, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def check_link(secret: str, *, user_id: str, item_id: str, kind: str, expires: int,
               signature: str, now: float) -> bool:
    if expires < now:
        return False
    expected = sign_link(secret, user_id=user_id, item_id=item_id, kind=kind, expires=expires)
    return hmac.compare_digest(expected, signature)


def clamp_page(limit: int | None, offset: int | None, *, maximum: int = 200) -> tuple[int, int]:
    return max(1, min(limit or 50, maximum)), max(0, offset or 0)
