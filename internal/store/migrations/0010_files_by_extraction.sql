-- Deleting an extraction finds its files by account and extraction
-- (DeleteExtraction: their blobs, then the rows); without this index that
-- read every file of the account.
CREATE INDEX files_account_extraction ON files (account_id, extraction_id);
