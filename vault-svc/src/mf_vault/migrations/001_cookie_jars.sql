-- One encrypted jar per (user, site). Only ciphertext ever holds cookie names and
-- values; the other columns are what listing needs without decrypting.
CREATE TABLE cookie_jars (
    user_id         uuid        NOT NULL,
    site            text        NOT NULL,
    -- First 16 hex digits of SHA-256(key): which configured key opens the row.
    key_id          text        NOT NULL,
    nonce           bytea       NOT NULL CHECK (length(nonce) = 12),
    -- AES-256-GCM output, tag included; AAD = 'mf-vault:v1|<user_id>|<site>'.
    ciphertext      bytea       NOT NULL,
    -- A jar with no (unexpired) cookies is deleted, never stored empty.
    cookie_count    int         NOT NULL CHECK (cookie_count > 0),
    earliest_expiry timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, site)
);
-- `mf vault rotate-key` looks for rows not under the current key.
CREATE INDEX cookie_jars_key_id ON cookie_jars (key_id);
