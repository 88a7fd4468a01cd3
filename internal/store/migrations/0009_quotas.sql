-- Quotas. account_usage counts the files an account uploaded on its last
-- day of uploads (day: days since 1970-01-01, UTC); a batch's commit adds
-- to it in its transaction, which also makes concurrent uploads of one
-- account wait for each other there (the row's lock), so the stored-bytes
-- check that follows sees the other upload's files. Deleting files does
-- not give the day's count back.
CREATE TABLE account_usage (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    day        BIGINT NOT NULL,
    files      BIGINT NOT NULL
);

-- Stored bytes are summed over an account's distinct stored documents
-- (a document a classification passes to an extraction is stored once):
-- these indexes answer that sum without reading the tables.
CREATE INDEX files_account_blob ON files (account_id, blob_key, size);
CREATE INDEX classification_files_account_blob ON classification_files (account_id, blob_key, size);
