-- Agents: signed-in people who work follow-up queues. Routing attributes
-- (skills, capacity, hours, presence) are added with routing.
CREATE TABLE agents (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    display_name TEXT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (name);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams (id),
    user_id  TEXT NOT NULL REFERENCES agents (user_id),
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- Grants: a practice lets a team or an agent work chosen kinds of its
-- follow-up and see chosen field groups, for a window, for a reason.
-- kinds and field_groups are JSON arrays of names.
CREATE TABLE grants (
    id            TEXT PRIMARY KEY,
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    grantee_type  TEXT NOT NULL CHECK (grantee_type IN ('agent', 'team')),
    grantee_id    TEXT NOT NULL,
    kinds         TEXT NOT NULL,
    field_groups  TEXT NOT NULL,
    purpose       TEXT NOT NULL DEFAULT 'payment',
    reason        TEXT NOT NULL,
    granted_by    TEXT NOT NULL,
    request_id    TEXT,
    valid_from    TIMESTAMPTZ NOT NULL,
    valid_until   TIMESTAMPTZ NOT NULL,
    review_due_at TIMESTAMPTZ NOT NULL,
    reviewed_at   TIMESTAMPTZ,
    reviewed_by   TEXT,
    revoked_at    TIMESTAMPTZ,
    revoked_by    TEXT,
    revoke_reason TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX grants_practice ON grants (practice_id, created_at);
CREATE INDEX grants_grantee ON grants (grantee_type, grantee_id);

-- Access requests: a billing manager asks for a team's access; a practice
-- admin other than the requester approves (making a grant) or denies.
CREATE TABLE access_requests (
    id            TEXT PRIMARY KEY,
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    team_id       TEXT NOT NULL REFERENCES teams (id),
    kinds         TEXT NOT NULL,
    field_groups  TEXT NOT NULL,
    days          INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'approved', 'denied')),
    decided_by    TEXT,
    decided_at    TIMESTAMPTZ,
    decision_note TEXT NOT NULL DEFAULT '',
    grant_id      TEXT REFERENCES grants (id)
);
CREATE INDEX access_requests_practice ON access_requests (practice_id, state, requested_at);

-- Break-glass: time-boxed access to one patient outside the usual rules,
-- open for compliance review until reviewed.
CREATE TABLE break_glass (
    id          TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices (id),
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    user_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    opened_at   TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    reviewed_at TIMESTAMPTZ,
    reviewed_by TEXT,
    review_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX break_glass_user ON break_glass (user_id, patient_id, expires_at);
CREATE INDEX break_glass_unreviewed ON break_glass (opened_at) WHERE reviewed_at IS NULL;

CREATE INDEX work_items_owner ON work_items (owner_id, patient_id) WHERE owner_id IS NOT NULL;
