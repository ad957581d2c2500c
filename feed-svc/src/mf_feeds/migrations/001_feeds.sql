-- Feed subscriptions and what they listed.

CREATE TABLE feeds (
    id                   uuid        PRIMARY KEY,
    user_id              uuid        NOT NULL,
    url                  text        NOT NULL,
    title                text,
    -- rss | youtube | ytdlp: set by the first poll that reads the source (NULL: not known yet).
    kind                 text,
    interval_s           integer     NOT NULL DEFAULT 3600 CHECK (interval_s > 0),
    auto_download        boolean     NOT NULL DEFAULT false,
    -- Auto-download what the feed lists on its first successful poll too.
    backlog              boolean     NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    last_polled_at       timestamptz,
    -- Also the lease: a poller pushes it forward when it claims the feed.
    next_poll_at         timestamptz NOT NULL DEFAULT now(),
    last_ok_at           timestamptz,
    last_error           text,
    last_error_at        timestamptz,
    consecutive_failures integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    -- The site asked us to wait (429, a ban, a Retry-After): not even "poll now" asks it sooner.
    rate_limited_until   timestamptz,
    UNIQUE (user_id, url)
);
CREATE INDEX feeds_due ON feeds (next_poll_at);

-- One row per item a feed ever listed: the primary key and the URL both deduplicate.
CREATE TABLE feed_items (
    feed_id       uuid        NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_id       text        NOT NULL,
    url           text        NOT NULL,
    title         text        NOT NULL DEFAULT '',
    published_at  timestamptz,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    -- The download auto-download submitted for it (the UrlSubmitted's correlation id).
    job_id        uuid,
    -- Insertion order: items stored oldest first, so undated items keep the feed's order.
    seq           bigserial   NOT NULL,
    PRIMARY KEY (feed_id, item_id),
    UNIQUE (feed_id, url)
);
CREATE INDEX feed_items_recent
    ON feed_items (feed_id, (COALESCE(published_at, first_seen_at)) DESC, seq DESC);
