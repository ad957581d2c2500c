-- The downloader's own state (the bus tables outbox/inbox come first, from mf_contracts).

-- Jobs the user cancelled. A running download polls this, so a JobCancelled handled
-- by any replica stops the download wherever it runs.
CREATE TABLE cancelled_jobs (
    job_id       uuid        PRIMARY KEY,
    reason       text        NOT NULL DEFAULT '',
    cancelled_at timestamptz NOT NULL DEFAULT now()
);

-- What this service reported for each job (MediaDownloaded's info), so that when the
-- library stores the job's item the known source keeps the full metadata
-- (duration, uploader...), not just what LibraryItemAdded carries.
CREATE TABLE job_media (
    job_id          uuid        PRIMARY KEY,
    info            jsonb       NOT NULL,
    existing_sha256 text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Sources the library holds a file for: a new submission of one is linked, not
-- downloaded. source_key is the extractor's id, scoped by page for URL-derived ids
-- (see domain.source_key).
CREATE TABLE known_sources (
    extractor  text        NOT NULL,
    source_key text        NOT NULL,
    source_id  text        NOT NULL,
    sha256     text        NOT NULL,
    item_id    text,
    info       jsonb       NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (extractor, source_key)
);
CREATE INDEX known_sources_sha256 ON known_sources (sha256);

-- Every URL a known source was submitted or published under (normalized, domain.url_key).
CREATE TABLE known_source_urls (
    url        text PRIMARY KEY,
    extractor  text NOT NULL,
    source_key text NOT NULL,
    FOREIGN KEY (extractor, source_key) REFERENCES known_sources (extractor, source_key)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX known_source_urls_source ON known_source_urls (extractor, source_key);
