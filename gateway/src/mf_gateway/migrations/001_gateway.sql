-- Accounts, sessions, extension access, and the jobs projection.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    password_hash text NOT NULL,
    is_admin      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

-- Refresh tokens rotate on every use; a reused (already rotated) token revokes its
-- whole family: someone stole it.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Extension tokens: shown once, stored as SHA-256 (they are 256-bit random, so a
-- slow hash adds nothing), found by their public prefix.
CREATE TABLE extension_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL UNIQUE,
    token_hash   bytea NOT NULL,
    scopes       text[] NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE pairing_codes (
    code_hash   bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    scopes      text[] NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

-- The jobs projection: built from the pipeline's events (handlers.py).
CREATE TABLE jobs (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL,
    url         text NOT NULL,
    origin      text NOT NULL DEFAULT 'web',
    status      text NOT NULL,
    stage       text,
    progress    real,
    speed       real,
    eta         real,
    downloaded_bytes bigint,
    total_bytes bigint,
    title       text,
    error       text,
    item_id     uuid,
    action      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX jobs_user_created ON jobs (user_id, created_at DESC);
