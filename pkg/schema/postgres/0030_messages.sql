-- Texts and e-mails to patients (docs/messages.md): what a practice's
-- templates say, every message sent or received with its body and its
-- delivery state, the addresses that opted out, and the links a message
-- carries to a page that asks the patient to verify first.

-- How a practice's messages go out: the number its texts come from (and
-- replies arrive at), whether the cadence's text and e-mail steps send
-- without a person, and how many messages a minute it may send.
CREATE TABLE message_settings (
    practice_id     TEXT PRIMARY KEY REFERENCES practices (id),
    text_from       TEXT NOT NULL DEFAULT '',
    automatic       BOOLEAN NOT NULL DEFAULT false,
    per_minute      INTEGER NOT NULL DEFAULT 30 CHECK (per_minute > 0),
    updated_at      TIMESTAMPTZ NOT NULL
);
-- A number belongs to one practice: replies and STOPs to it are that
-- practice's alone.
CREATE UNIQUE INDEX message_settings_from ON message_settings (text_from) WHERE text_from <> '';

-- A practice's own copy of a template; without one the built-in default
-- (message.Defaults) is used.
CREATE TABLE message_templates (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    key         TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('text', 'email')),
    name        TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (practice_id, key, channel)
);

-- Every message to or from a patient. An outbound message is written with
-- its activity and audit event and delivered by the messages queue; its
-- state follows the provider's receipts. An inbound one is a reply, kept
-- with the item it answers.
CREATE TABLE patient_messages (
    id            TEXT PRIMARY KEY,
    practice_id   TEXT NOT NULL REFERENCES practices (id),
    patient_id    TEXT NOT NULL REFERENCES patients (id),
    work_item_id  TEXT REFERENCES work_items (id),
    direction     TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    channel       TEXT NOT NULL CHECK (channel IN ('text', 'email')),
    template_key  TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    state         TEXT NOT NULL
                  CHECK (state IN ('queued', 'sending', 'unconfirmed', 'sent', 'delivered', 'failed', 'received')),
    provider_id   TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    -- An e-mail's one-click unsubscribe link (RFC 8058), for its headers.
    unsubscribe_url TEXT NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    actor_id      TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    sent_at       TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    seen_at       TIMESTAMPTZ
);
CREATE INDEX patient_messages_item ON patient_messages (work_item_id, created_at);
CREATE INDEX patient_messages_patient ON patient_messages (patient_id, created_at);
CREATE INDEX patient_messages_address ON patient_messages (address, created_at);
CREATE INDEX patient_messages_recent ON patient_messages (practice_id, created_at);
CREATE INDEX patient_messages_provider ON patient_messages (provider_id) WHERE provider_id <> '';
-- A provider's retry of an inbound text, even one racing the first, is
-- kept once.
CREATE UNIQUE INDEX patient_messages_inbound ON patient_messages (provider_id) WHERE direction = 'in' AND provider_id <> '';

-- An address (a phone number or an e-mail address) that asked a practice
-- to stop: by a keyword reply, an unsubscribe link, or an agent told so.
CREATE TABLE message_optouts (
    practice_id TEXT NOT NULL REFERENCES practices (id),
    channel     TEXT NOT NULL CHECK (channel IN ('text', 'email')),
    address     TEXT NOT NULL,
    source      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (practice_id, channel, address)
);

-- A link a message carries, by the hash of its token (the token itself is
-- only in the message): to the page that asks the patient to verify, or
-- to unsubscribe.
CREATE TABLE message_links (
    token_hash  TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify', 'unsubscribe')),
    practice_id TEXT NOT NULL REFERENCES practices (id),
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    message_id  TEXT NOT NULL REFERENCES patient_messages (id),
    failures    INTEGER NOT NULL DEFAULT 0,
    used_at     TIMESTAMPTZ,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- A reply nobody has read yet shows on the item and in its owner's queue.
ALTER TABLE work_items ADD COLUMN replied_at TIMESTAMPTZ;

GRANT SELECT, INSERT, UPDATE ON message_settings, message_templates, patient_messages, message_links TO backdesk_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON message_optouts TO backdesk_app;

ALTER TABLE message_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON message_settings
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE message_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON message_templates
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE patient_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON patient_messages
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE message_optouts ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON message_optouts
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE message_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON message_links
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
