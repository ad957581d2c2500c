"""AES-256-GCM sealing of cookie jars, and the keys it uses.

- A fresh random 96-bit nonce per seal (never a counter: several processes seal with
  the same key, and a nonce reused under one key breaks GCM).
- The ciphertext includes the 16-byte tag; `aad` binds it to its (user, site) row.
- Each key is known by its key id, the first 16 hex digits of its SHA-256: stored beside
  the ciphertext so rotation knows which key opens it, and revealing nothing usable.
- Keys never appear in messages: errors say what shape was expected and the length seen.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
GENERATE_HINT = "generate one with `openssl rand -base64 32`"
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


class VaultKeyError(RuntimeError):
    """The configured keys cannot be used; the service refuses to start."""


class DecryptError(Exception):
    """The ciphertext did not open. `unknown_key`: no key with its key id is configured;
    otherwise the tag did not verify (tampered, or moved to another user/site)."""

    def __init__(self, *, unknown_key: bool) -> None:
        self.unknown_key = unknown_key
        super().__init__("unknown key id" if unknown_key else "authentication tag mismatch")


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes


def parse_key(text: str, *, name: str = "MF_VAULT_KEY") -> bytes:
    """32 key bytes from base64 (standard or URL-safe alphabet) or 64 hex digits."""
    text = text.strip()
    if _HEX.match(text):
        return bytes.fromhex(text)
    try:
        padded = text + "=" * (-len(text) % 4)
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise VaultKeyError(
            f"{name} is not a usable key: expected {KEY_BYTES} random bytes written as base64 "
            f"(44 characters) or as 64 hex digits, got {len(text)} characters that are neither; "
            f"{GENERATE_HINT}")
    return raw


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


class KeyRing:
    """The current key (seals) and older ones (still open, until rotated away)."""

    def __init__(self, *, current: bytes, old: Sequence[bytes] = ()) -> None:
        self.current_id = key_id(current)
        self._ciphers = {key_id(k): AESGCM(k) for k in (*old, current)}

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def seal(self, plaintext: bytes, *, aad: bytes) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._ciphers[self.current_id].encrypt(nonce, plaintext, aad)
        return Sealed(key_id=self.current_id, nonce=nonce, ciphertext=ciphertext)

    def open(self, sealed: Sealed, *, aad: bytes) -> bytes:
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise DecryptError(unknown_key=True)
        try:
            return cipher.decrypt(sealed.nonce, sealed.ciphertext, aad)
        except (InvalidTag, ValueError):  # ValueError: a nonce of the wrong length
            raise DecryptError(unknown_key=False) from None


def keyring_from_settings(*, current: str, old: Sequence[str],
                          allow_ephemeral: bool) -> tuple[KeyRing, bool]:
    """The ring from MF_VAULT_KEY / MF_VAULT_OLD_KEYS; (ring, ephemeral).

    A key that is set but malformed is always refused: guessing would seal jars under a
    key the operator does not have. With no key at all, `allow_ephemeral` (development,
    tests) makes a random one for this process; otherwise (production, the rotate
    command) it is refused.
    """
    olds = [parse_key(k, name=f"MF_VAULT_OLD_KEYS entry {i}") for i, k in enumerate(old, 1)]
    if current.strip():
        return KeyRing(current=parse_key(current), old=olds), False
    if not allow_ephemeral:
        raise VaultKeyError(f"MF_VAULT_KEY is not set: the vault needs a key to encrypt cookie "
                            f"jars; {GENERATE_HINT} and keep it (jars sealed under a lost key "
                            "cannot be read)")
    return KeyRing(current=os.urandom(KEY_BYTES), old=olds), True
