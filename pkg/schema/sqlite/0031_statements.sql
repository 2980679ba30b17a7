-- Patient statements and pay-by-link (docs/statements.md).

-- One statement run of a practice for one cycle (YYYY-MM). A cycle is run
-- once: running it again makes nothing new.
CREATE TABLE statement_runs (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    cycle           TEXT NOT NULL,
    statement_date  TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    office_hours    TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    made            INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    emailed         INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    UNIQUE (practice_id, cycle)
);

-- One guarantor's statement in a run: the PDF as mailed or e-mailed, kept
-- for the audit trail's retention.
CREATE TABLE statements (
    id               TEXT PRIMARY KEY,
    practice_id      TEXT NOT NULL REFERENCES practices (id),
    run_id           TEXT NOT NULL REFERENCES statement_runs (id),
    balance_id       TEXT NOT NULL REFERENCES balances (id),
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    account_number   TEXT NOT NULL,
    amount_due_cents BIGINT NOT NULL,
    pending_cents    BIGINT NOT NULL DEFAULT 0,
    pages            INTEGER NOT NULL,
    delivery         TEXT NOT NULL CHECK (delivery IN ('mail', 'email')),
    pdf              BLOB NOT NULL,
    sha256           TEXT NOT NULL,
    -- What was printed, as JSON: a batch download renders the run again,
    -- byte for byte, from it.
    content          TEXT NOT NULL DEFAULT '',
    link_id          TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    retain_until     TIMESTAMP NOT NULL,
    UNIQUE (run_id, balance_id)
);
CREATE INDEX statements_patient ON statements (patient_id, created_at);
CREATE INDEX statements_balance ON statements (balance_id, created_at);

-- What a run left out, and why: zero balance, do not contact, no address.
CREATE TABLE statement_skips (
    run_id      TEXT NOT NULL REFERENCES statement_runs (id),
    practice_id TEXT NOT NULL REFERENCES practices (id),
    balance_id  TEXT NOT NULL REFERENCES balances (id),
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    reason      TEXT NOT NULL,
    PRIMARY KEY (run_id, balance_id)
);

-- A link a patient pays a balance by, known by the hash of its token. The
-- amount is what was due when it was made; a payment link is single-use
-- once paid, and expires.
CREATE TABLE payment_links (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    patient_id    TEXT NOT NULL REFERENCES patients (id),
    balance_id    TEXT NOT NULL REFERENCES balances (id),
    work_item_id  TEXT REFERENCES work_items (id),
    amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
    state         TEXT NOT NULL CHECK (state IN ('open', 'paid', 'expired')),
    checkout_id   TEXT NOT NULL DEFAULT '',
    failures      INTEGER NOT NULL DEFAULT 0,
    verified_at   TIMESTAMP,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    paid_at       TIMESTAMP
);
CREATE INDEX payment_links_balance ON payment_links (balance_id, created_at);
CREATE INDEX payment_links_checkout ON payment_links (checkout_id) WHERE checkout_id <> '';

-- A payment a provider reported, once per provider event: a replayed or
-- repeated webhook finds its event here and changes nothing.
CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    practice_id       TEXT NOT NULL REFERENCES practices (id),
    patient_id        TEXT NOT NULL REFERENCES patients (id),
    balance_id        TEXT NOT NULL REFERENCES balances (id),
    work_item_id      TEXT REFERENCES work_items (id),
    link_id           TEXT REFERENCES payment_links (id),
    provider          TEXT NOT NULL,
    provider_event_id TEXT NOT NULL,
    provider_payment  TEXT NOT NULL DEFAULT '',
    amount_cents      BIGINT NOT NULL,
    currency          TEXT NOT NULL,
    received_at       TIMESTAMP NOT NULL,
    UNIQUE (provider, provider_event_id)
);
CREATE INDEX payments_balance ON payments (balance_id, received_at);
CREATE INDEX payments_practice ON payments (practice_id, received_at);

-- A payment plan: amounts the patient promised, by date.
CREATE TABLE payment_plans (
    id           TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL REFERENCES practices (id),
    patient_id   TEXT NOT NULL REFERENCES patients (id),
    balance_id   TEXT NOT NULL REFERENCES balances (id),
    work_item_id TEXT REFERENCES work_items (id),
    schedule     TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX payment_plans_balance ON payment_plans (balance_id, created_at);

