-- The outbound half of a billing office (docs/clearinghouse.md): Backdesk
-- asks a clearinghouse about coverage (270) and claims (276) and reads the
-- answers (271, 277) and acknowledgments (TA1, 999) it sends back.
--
-- A connection is how files reach one clearinghouse: over SFTP, or by hand
-- (a billing manager downloads the batch and uploads the answers). It holds
-- a reference to its secret (env:NAME or file:PATH), never the secret.
-- Connections are the billing company's, not a practice's: a practice is
-- linked to one, and several practices may share it.
CREATE TABLE clearinghouse_connections (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    mode               TEXT NOT NULL CHECK (mode IN ('sftp', 'manual')),
    address            TEXT NOT NULL DEFAULT '',
    username           TEXT NOT NULL DEFAULT '',
    host_key           TEXT NOT NULL DEFAULT '',
    secret_ref         TEXT NOT NULL DEFAULT '',
    outbound_dir       TEXT NOT NULL DEFAULT '',
    inbound_dir        TEXT NOT NULL DEFAULT '',
    archive_dir        TEXT NOT NULL DEFAULT '',
    sender_qualifier   TEXT NOT NULL DEFAULT 'ZZ',
    sender_id          TEXT NOT NULL,
    receiver_qualifier TEXT NOT NULL DEFAULT 'ZZ',
    receiver_id        TEXT NOT NULL,
    production         BOOLEAN NOT NULL DEFAULT false,
    answer_minutes     INTEGER NOT NULL DEFAULT 240 CHECK (answer_minutes > 0),
    ack_minutes        INTEGER NOT NULL DEFAULT 60 CHECK (ack_minutes > 0),
    last_poll_at       TIMESTAMP,
    last_error         TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

-- Which connection asks on a practice's behalf; a practice with none has
-- its verifications and claim follow-ups worked by agents, as before.
CREATE TABLE clearinghouse_links (
    practice_id   TEXT PRIMARY KEY REFERENCES practices (id),
    connection_id TEXT NOT NULL REFERENCES clearinghouse_connections (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX clearinghouse_links_connection ON clearinghouse_links (connection_id);

-- The payers a connection reaches, by the name the practice's system gives
-- them, with the clearinghouse's payer id and what the payer answers
-- electronically: 270 eligibility, 276 claim status.
CREATE TABLE clearinghouse_payers (
    connection_id TEXT NOT NULL REFERENCES clearinghouse_connections (id),
    payer_name    TEXT NOT NULL,
    payer_id      TEXT NOT NULL,
    eligibility   BOOLEAN NOT NULL DEFAULT true,
    claim_status  BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (connection_id, payer_name)
);

-- The last interchange control number (ISA13) used by each sender id:
-- unique and increasing, as receivers require.
CREATE TABLE x12_control_numbers (
    sender           TEXT PRIMARY KEY,
    last_interchange BIGINT NOT NULL
);

-- Every file sent or received, kept whole for the retention period of the
-- audit trail. An outbound batch is one practice's; an inbound file may
-- answer for several practices sharing the connection and has none. The
-- content hash makes a file received twice (a retried download) one file.
CREATE TABLE clearinghouse_files (
    id                  TEXT PRIMARY KEY,
    connection_id       TEXT NOT NULL REFERENCES clearinghouse_connections (id),
    practice_id         TEXT REFERENCES practices (id),
    direction           TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL,
    interchange_control TEXT NOT NULL DEFAULT '',
    sha256              TEXT NOT NULL,
    size                BIGINT NOT NULL,
    body                BLOB NOT NULL,
    state               TEXT NOT NULL
                        CHECK (state IN ('built', 'sent', 'accepted', 'rejected', 'overdue', 'received', 'applied', 'failed')),
    note                TEXT NOT NULL DEFAULT '',
    patients            INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    sent_at             TIMESTAMP,
    acked_at            TIMESTAMP,
    retain_until        TIMESTAMP NOT NULL,
    UNIQUE (connection_id, direction, sha256)
);
CREATE INDEX clearinghouse_files_control ON clearinghouse_files (interchange_control);
CREATE INDEX clearinghouse_files_recent ON clearinghouse_files (connection_id, created_at);
-- Batches still waiting for their acknowledgment, found by when they went.
CREATE INDEX clearinghouse_files_unacknowledged ON clearinghouse_files (sent_at) WHERE state = 'sent';

-- One question asked about one work item: its trace number (TRN02) comes
-- back in the answer and finds the item.
CREATE TABLE clearinghouse_inquiries (
    trace          TEXT PRIMARY KEY,
    practice_id    TEXT NOT NULL REFERENCES practices (id),
    work_item_id   TEXT NOT NULL REFERENCES work_items (id),
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    kind           TEXT NOT NULL CHECK (kind IN ('270', '276')),
    file_id        TEXT NOT NULL REFERENCES clearinghouse_files (id),
    asked_at       TIMESTAMP NOT NULL,
    answered_at    TIMESTAMP,
    answer_file_id TEXT REFERENCES clearinghouse_files (id),
    outcome        TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clearinghouse_inquiries_item ON clearinghouse_inquiries (work_item_id, asked_at);
CREATE INDEX clearinghouse_inquiries_file ON clearinghouse_inquiries (file_id);
-- The claim status counts (asked, answered without a call) read a period's
-- inquiries by when they were asked or answered, over six years of them.
CREATE INDEX clearinghouse_inquiries_asked ON clearinghouse_inquiries (asked_at);
CREATE INDEX clearinghouse_inquiries_answered ON clearinghouse_inquiries (answered_at);

-- What a payer said a patient's plan covers, dated: the latest per patient
-- is shown on every item of that patient, in words (lines).
CREATE TABLE benefit_summaries (
    id           TEXT PRIMARY KEY,
    practice_id  TEXT NOT NULL REFERENCES practices (id),
    patient_id   TEXT NOT NULL REFERENCES patients (id),
    payer_name   TEXT NOT NULL,
    plan         TEXT NOT NULL DEFAULT '',
    group_number TEXT NOT NULL DEFAULT '',
    coverage     TEXT NOT NULL CHECK (coverage IN ('active', 'inactive', 'unknown')),
    summary      TEXT NOT NULL,
    lines        TEXT NOT NULL,
    -- What is left of the annual maximum and the last day of the benefit
    -- year it belongs to (YYYY-MM-DD), when the payer said: the year-end
    -- push on unscheduled treatment reads them.
    max_left_cents INTEGER,
    benefits_end TEXT NOT NULL DEFAULT '',
    answered_at  TIMESTAMP NOT NULL,
    file_id      TEXT REFERENCES clearinghouse_files (id),
    work_item_id TEXT REFERENCES work_items (id)
);
CREATE INDEX benefit_summaries_patient ON benefit_summaries (patient_id, answered_at);

-- (Grants and row-level security are PostgreSQL's; see its 0028.)
