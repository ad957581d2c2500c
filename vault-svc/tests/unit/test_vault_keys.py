"""Key parsing, key ids and the AES-GCM ring."""
from __future__ import annotations

import base64
import hashlib
import os

import pytest
from mf_vault.adapters.aesgcm import (
    DecryptError,
    KeyRing,
    VaultKeyError,
    key_id,
    keyring_from_settings,
    parse_key,
)

KEY = os.urandom(32)


def test_base64_urlsafe_unpadded_and_hex_keys_are_accepted():
    b64 = base64.b64encode(KEY).decode()
    assert parse_key(b64) == KEY
    assert parse_key(f"  {b64}\n") == KEY
    assert parse_key(base64.urlsafe_b64encode(KEY).decode().rstrip("=")) == KEY
    assert parse_key(KEY.hex()) == KEY and parse_key(KEY.hex().upper()) == KEY


@pytest.mark.parametrize("bad", [
    "", "secret", base64.b64encode(os.urandom(16)).decode(), base64.b64encode(os.urandom(48)).decode(),
    KEY.hex()[:-2], KEY.hex() + "00", "not base64 at all!!!" * 3,
])
def test_anything_else_is_refused_without_echoing_it(bad):
    with pytest.raises(VaultKeyError) as err:
        parse_key(bad)
    assert "openssl rand -base64 32" in str(err.value)
    if len(bad) > 8:
        assert bad not in str(err.value)


def test_key_id_is_a_sha256_prefix():
    assert key_id(KEY) == hashlib.sha256(KEY).hexdigest()[:16]


def test_seal_uses_a_fresh_nonce_and_old_keys_still_open():
    old, new = os.urandom(32), os.urandom(32)
    sealed = KeyRing(current=old).seal(b"jar", aad=b"u|s")
    again = KeyRing(current=old).seal(b"jar", aad=b"u|s")
    assert sealed.nonce != again.nonce and sealed.ciphertext != again.ciphertext
    assert len(sealed.ciphertext) == 3 + 16  # tag included
    ring = KeyRing(current=new, old=[old])
    assert ring.open(sealed, aad=b"u|s") == b"jar"
    assert ring.seal(b"jar", aad=b"u|s").key_id == key_id(new)
    with pytest.raises(DecryptError) as err:
        ring.open(sealed, aad=b"u|other")
    assert not err.value.unknown_key
    with pytest.raises(DecryptError) as err:
        KeyRing(current=new).open(sealed, aad=b"u|s")
    assert err.value.unknown_key


def test_settings_without_a_key():
    ring, ephemeral = keyring_from_settings(current="", old=[], allow_ephemeral=True)
    assert ephemeral and len(ring.current_id) == 16
    with pytest.raises(VaultKeyError, match="MF_VAULT_KEY is not set.*openssl rand -base64 32"):
        keyring_from_settings(current="", old=[], allow_ephemeral=False)
    with pytest.raises(VaultKeyError, match="MF_VAULT_OLD_KEYS entry 1"):
        keyring_from_settings(current=KEY.hex(), old=["nope"], allow_ephemeral=True)
    with pytest.raises(VaultKeyError):  # set but malformed: never replaced by a random key
        keyring_from_settings(current="short", old=[], allow_ephemeral=True)
