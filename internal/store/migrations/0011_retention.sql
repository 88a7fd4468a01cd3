-- Retention (--retention) deletes the batches that ended longest ago
-- first, a chunk at a time: these indexes find them without reading the
-- tables.
CREATE INDEX batches_completed ON batches (completed_at, id);
CREATE INDEX classification_batches_completed ON classification_batches (completed_at, id);
