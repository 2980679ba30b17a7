-- People who have signed in, keyed by their provider's (issuer, subject):
-- never by email, which providers let users change.
CREATE TABLE users (
    id           TEXT PRIMARY KEY,
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_identity ON users (issuer, subject);

-- Invitations to administer a practice. One binds to the first signed-in
-- person whose verified email matches, and never to anyone else after.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    practice_id TEXT NOT NULL REFERENCES practices (id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('practice_admin')),
    invited_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_by TEXT REFERENCES users (id),
    accepted_at TIMESTAMP
);
CREATE INDEX invitations_open ON invitations (email) WHERE accepted_by IS NULL;

CREATE TABLE practice_memberships (
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL CHECK (role IN ('practice_admin')),
    invitation_id TEXT REFERENCES invitations (id),
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (practice_id, user_id, role)
);
CREATE INDEX practice_memberships_user ON practice_memberships (user_id);
