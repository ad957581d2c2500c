-- Jobs the user cancelled. A running ffmpeg polls this table twice a second, and a
-- MediaDownloaded that arrives after the cancel is skipped. A row is a few dozen
-- bytes per cancelled job, so they are kept (the outbox is kept too).
CREATE TABLE cancelled_jobs (
    job_id       uuid        PRIMARY KEY,
    reason       text        NOT NULL DEFAULT '',
    cancelled_at timestamptz NOT NULL DEFAULT now()
);
