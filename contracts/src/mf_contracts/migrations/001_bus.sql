-- The bus tables every service schema carries (applied before the service's own).

-- The service's event log: append-only, kept. published_at is the relay's mark;
-- a row's event columns are never changed after insert.
CREATE TABLE outbox (
    seq           bigserial PRIMARY KEY,
    id            uuid        NOT NULL UNIQUE,
    stream        text        NOT NULL,
    type          text        NOT NULL,
    correlation_id uuid       NOT NULL,
    -- (causation, emit index) makes re-emitting while replaying a no-op.
    dedup_key     text        UNIQUE,
    envelope      bytea       NOT NULL,
    occurred_at   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

-- Events this service has already applied: the idempotency record, written in the
-- same transaction as the effects.
CREATE TABLE inbox (
    event_id     uuid        PRIMARY KEY,
    type         text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- Wake the relay when appends commit (NOTIFY is delivered at commit, and identical
-- notifications in one transaction collapse into one).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mf_outbox_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
