-- Classifications, their batches and files. Categories are a JSON array
-- in their classification's row (they are read and written together).
-- version grows with every PATCH and overrides_version with every
-- override set or cleared: together they name the classifier model built
-- from the classification, so that a cached model is rebuilt only when one
-- of them changes.

CREATE TABLE classifications (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    name              TEXT NOT NULL,
    description       TEXT NOT NULL,
    threshold         DOUBLE PRECISION NOT NULL,
    categories        TEXT NOT NULL,
    version           BIGINT NOT NULL,
    overrides_version BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX classifications_account ON classifications (account_id, id);

-- Same counters and terminal-status rule as batches.
CREATE TABLE classification_batches (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    classification_id TEXT NOT NULL,
    name              TEXT NOT NULL,
    status            TEXT NOT NULL,
    file_count        INTEGER NOT NULL,
    page_count        INTEGER NOT NULL,
    n_queued          INTEGER NOT NULL,
    n_processing      INTEGER NOT NULL,
    n_processed       INTEGER NOT NULL,
    n_needs_review    INTEGER NOT NULL,
    n_failed          INTEGER NOT NULL,
    version           BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    completed_at      BIGINT
);
CREATE INDEX classification_batches_classification ON classification_batches (account_id, classification_id, id);

-- The classifier's decision (category_*, confidence, reasoning) and the
-- user's override (override_*) are kept apart, so that reprocessing never
-- touches an override and clearing one shows the decision again. text is
-- the start of the document's text: overridden files teach the
-- classifier.
CREATE TABLE classification_files (
    id                     TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL REFERENCES accounts (id),
    classification_id      TEXT NOT NULL,
    batch_id               TEXT NOT NULL REFERENCES classification_batches (id) ON DELETE CASCADE,
    position               INTEGER NOT NULL,
    file_name              TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    mime                   TEXT NOT NULL,
    size                   BIGINT NOT NULL,
    page_count             INTEGER NOT NULL,
    blob_key               TEXT NOT NULL,
    status                 TEXT NOT NULL,
    error_code             TEXT,
    error_message          TEXT,
    decided                BOOLEAN NOT NULL,
    category_id            TEXT,
    category_name          TEXT,
    confidence             DOUBLE PRECISION,
    reasoning              TEXT,
    override_category_id   TEXT,
    override_category_name TEXT,
    overridden_at          BIGINT,
    linked_batch_id        TEXT,
    text                   TEXT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX classification_files_batch ON classification_files (batch_id, position);
CREATE INDEX classification_files_overrides ON classification_files (classification_id, overridden_at);
CREATE INDEX classification_files_blob ON classification_files (blob_key);

-- A chained extraction file reuses its classification file's blob: a
-- blob is deleted only when no row of either table names it.
CREATE INDEX files_blob ON files (blob_key);
