-- Retention (--retention) deletes the batches that ended longest ago
-- first, a chunk at a time: these indexes find them without reading the
-- tables.
CREATE INDEX batches_completed ON batches (completed_at, id);
CREATE INDEX classification_batches_completed ON classification_batches (completed_at, id);

-- Stored documents to delete: retention names here, in the transaction
-- that deletes their files, the documents no file names any more, and
-- forgets each once the blob store has deleted it. A crash, or a blob
-- store that failed a delete, leaves it here for the next run.
CREATE TABLE blob_deletions (
    blob_key TEXT PRIMARY KEY
);
