-- Core tables. The same DDL runs on SQLite and PostgreSQL: times are Unix
-- microseconds (BIGINT) so that comparisons and ordering behave the same on
-- both engines, and JSON documents are TEXT.

CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    last4        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id, id);

CREATE TABLE extractions (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    language         TEXT NOT NULL,
    fields           TEXT NOT NULL,
    options          TEXT NOT NULL,
    review_threshold DOUBLE PRECISION NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX extractions_account ON extractions (account_id, id);

-- A batch keeps a copy of its extraction's schema as it was at upload
-- (PATCH affects new batches only) and counts its files per status, so the
-- polling endpoint reads one row and the terminal status is decided by one
-- row update.
CREATE TABLE batches (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    extraction_id  TEXT NOT NULL,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    schema         TEXT NOT NULL,
    file_count     INTEGER NOT NULL,
    page_count     INTEGER NOT NULL,
    n_queued       INTEGER NOT NULL,
    n_processing   INTEGER NOT NULL,
    n_processed    INTEGER NOT NULL,
    n_needs_review INTEGER NOT NULL,
    n_failed       INTEGER NOT NULL,
    version        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    completed_at   BIGINT
);
CREATE INDEX batches_extraction ON batches (account_id, extraction_id, id);
CREATE INDEX batches_updated ON batches (account_id, extraction_id, updated_at);

CREATE TABLE files (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    extraction_id TEXT NOT NULL,
    batch_id      TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    mime          TEXT NOT NULL,
    size          BIGINT NOT NULL,
    page_count    INTEGER NOT NULL,
    blob_key      TEXT NOT NULL,
    status        TEXT NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    result        TEXT,
    confidence    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX files_batch ON files (batch_id, position);

-- Stored answers of POST requests that carried an Idempotency-Key. A row
-- with status_code 0 is a request still in flight.
CREATE TABLE idempotency_keys (
    account_id  TEXT NOT NULL,
    key         TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
