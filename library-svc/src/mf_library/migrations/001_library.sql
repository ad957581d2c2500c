-- The library: content-addressed media files with reference counts, and the items
-- users see. Invariant (kept by the per-sha advisory lock in the code, checked by
-- mf_library.invariants): media_files.ref_count = number of library_items with that
-- sha256, and a row exists only while that count is at least 1.

CREATE TABLE media_files (
    sha256        text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size          bigint      NOT NULL CHECK (size >= 0),
    ext           text        NOT NULL CHECK (ext IN ('mp4', 'm4a')),
    container     text        NOT NULL DEFAULT '',
    video_codec   text,
    audio_codec   text,
    width         integer,
    height        integer,
    duration      double precision,
    ref_count     integer     NOT NULL CHECK (ref_count >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Set by the GC when the row's file is gone from disk (never deletes the items).
    missing_since timestamptz
);

CREATE TABLE library_items (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    job_id        uuid        NOT NULL,
    -- RESTRICT: a media_files row cannot go while an item still points at it.
    sha256        text        NOT NULL REFERENCES media_files (sha256) ON DELETE RESTRICT,
    title         text        NOT NULL DEFAULT '',
    source_url    text        NOT NULL DEFAULT '',
    webpage_url   text,
    extractor     text        NOT NULL DEFAULT '',
    source_id     text        NOT NULL DEFAULT '',
    uploader      text,
    duration      double precision,
    description   text,
    upload_date   text,
    -- A content-addressed thumbnail (thumbs/ab/<sha256>.<ext>), kept while referenced.
    thumbnail     text        CHECK (thumbnail ~ '^[0-9a-f]{64}$'),
    thumbnail_ext text        CHECK (thumbnail_ext IN ('jpg', 'png', 'webp')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((thumbnail IS NULL) = (thumbnail_ext IS NULL)),
    -- A job makes at most one item, however often its event is delivered.
    UNIQUE (user_id, job_id)
);

CREATE INDEX library_items_by_user_created ON library_items (user_id, created_at DESC, id DESC);
CREATE INDEX library_items_by_sha ON library_items (sha256);
CREATE INDEX library_items_by_thumbnail ON library_items (thumbnail) WHERE thumbnail IS NOT NULL;

-- Title search is `title ILIKE '%q%'`. A trigram index makes that fast; pg_trgm needs
-- CREATE privilege on the database, so without it the search still works (a scan of
-- one user's rows, narrowed by the user index). The extension lives in `public`, so
-- every service schema (and every test schema) can name its operator class.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
EXCEPTION WHEN others THEN
    RAISE NOTICE 'pg_trgm unavailable (%); title search runs without a trigram index', SQLERRM;
END $$;

DO $$
DECLARE
    ext_schema text;
BEGIN
    SELECT n.nspname INTO ext_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX library_items_title_trgm ON library_items'
                       ' USING gin (title %I.gin_trgm_ops)', ext_schema);
    END IF;
END $$;
