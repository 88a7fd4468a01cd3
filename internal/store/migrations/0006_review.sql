-- Who confirmed a file's result in the review queue, and when: set once,
-- when a needs_review file is confirmed and becomes processed. The partial
-- index serves the review queue, which lists an account's needs_review
-- files.
ALTER TABLE files ADD COLUMN reviewed_by TEXT;
ALTER TABLE files ADD COLUMN reviewed_at BIGINT;
CREATE INDEX files_needs_review ON files (account_id, updated_at) WHERE status = 'needs_review';
