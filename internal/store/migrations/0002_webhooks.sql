-- Webhook endpoints, the events feed, the delivery outbox and the log of
-- delivery attempts.

CREATE TABLE webhook_endpoints (
    id                     TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL REFERENCES accounts (id),
    url                    TEXT NOT NULL,
    description            TEXT NOT NULL,
    event_types            TEXT NOT NULL,
    enabled                BOOLEAN NOT NULL,
    disabled_reason        TEXT,
    secret                 TEXT NOT NULL,
    prev_secret            TEXT,
    prev_secret_expires_at BIGINT,
    last_success_at        BIGINT,
    failing_since          BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, id);

-- Events in commit order: seq is assigned inside the writing transaction
-- while it holds the events lock (PostgreSQL) or the single writer
-- (SQLite), so a reader that has seen seq N can never later find a new
-- event below N.
CREATE TABLE events (
    seq        BIGINT NOT NULL UNIQUE,
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_account_seq ON events (account_id, seq);
CREATE INDEX events_created ON events (created_at);

-- One row per event and endpoint: the outbox of deliveries. A row is
-- pending until delivered or failed for good. lease_until keeps other
-- processes' sweepers away while this process delivers it.
CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    first_attempt_at BIGINT,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    last_status      INTEGER,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, state);

CREATE TABLE delivery_attempts (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    attempt_number   INTEGER NOT NULL,
    status_code      INTEGER,
    latency_ms       DOUBLE PRECISION NOT NULL,
    request_headers  TEXT NOT NULL,
    request_body     TEXT,
    response_headers TEXT,
    response_body    TEXT,
    error            TEXT,
    created_at       BIGINT NOT NULL,
    next_attempt_at  BIGINT
);
CREATE INDEX delivery_attempts_endpoint ON delivery_attempts (endpoint_id, id);
CREATE INDEX delivery_attempts_created ON delivery_attempts (created_at);
