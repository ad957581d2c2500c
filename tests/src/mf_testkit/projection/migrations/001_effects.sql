-- A toy projection for bus tests. `effects` has no unique key on purpose: a duplicate
-- application of an event would show up as a second row.
CREATE TABLE effects (
    event_id uuid NOT NULL,
    url      text NOT NULL,
    consumer text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE tally (
    host  text PRIMARY KEY,
    count int  NOT NULL
);
