-- A delivery's round grows each time it is queued again (resend,
-- recover), so that the outcome of an earlier round, recorded late, never
-- overwrites the new one.
ALTER TABLE deliveries ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
