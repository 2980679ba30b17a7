-- Compliance's own records, kept beside the audit trail: reviews that
-- close an anomaly with a note, and the results of integrity checks of
-- the Merkle log. Both are history: rows are only added.
CREATE TABLE audit_reviews (
    id               TEXT PRIMARY KEY,
    subject_key      TEXT NOT NULL,  -- what was reviewed, e.g. an anomaly's key
    note             TEXT NOT NULL,
    reviewer_subject TEXT NOT NULL,
    reviewed_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX audit_reviews_subject ON audit_reviews (subject_key);

CREATE TABLE audit_verifications (
    id              TEXT PRIMARY KEY,
    at              TIMESTAMP NOT NULL,
    ok              BOOLEAN NOT NULL,
    leaves          BIGINT NOT NULL DEFAULT 0,
    checkpoints     INTEGER NOT NULL DEFAULT 0,
    checkpoint_size BIGINT NOT NULL DEFAULT 0,
    problem         TEXT NOT NULL DEFAULT '',
    requested_by    TEXT NOT NULL
);
CREATE INDEX audit_verifications_at ON audit_verifications (at);
