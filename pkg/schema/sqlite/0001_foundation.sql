-- Practices: the billing company's clients. More columns arrive with onboarding.
CREATE TABLE practices (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    npi            TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'active', 'suspended', 'offboarded')),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    provisioned_at TIMESTAMP
);
CREATE UNIQUE INDEX practices_npi ON practices (npi);
CREATE INDEX practices_created ON practices (created_at, id);

-- Transactional outbox: asynq tasks to enqueue once the writing transaction commits.
CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    task_type  TEXT NOT NULL,
    queue      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    headers    TEXT NOT NULL DEFAULT '{}',
    process_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (created_at, id) WHERE sent_at IS NULL;

-- Task ids a handler has finished, so a redelivered task does nothing twice.
CREATE TABLE processed_tasks (
    task_id      TEXT PRIMARY KEY,
    task_type    TEXT NOT NULL,
    processed_at TIMESTAMP NOT NULL
);
