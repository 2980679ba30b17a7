-- What the reconciler needs to judge only what changed; see the PostgreSQL
-- migration of the same number.
CREATE TABLE reconcile_marks (
    id         INTEGER PRIMARY KEY,
    subject    TEXT NOT NULL CHECK (subject IN ('practice', 'agent', 'team', 'offline', 'item')),
    subject_id TEXT NOT NULL,
    seen_at    TIMESTAMP
);
CREATE INDEX reconcile_marks_subject ON reconcile_marks (subject, subject_id);

CREATE TABLE reconcile_passes (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    passed_at TIMESTAMP NOT NULL
);

CREATE TRIGGER practices_reconcile AFTER UPDATE OF status ON practices
WHEN NEW.status <> 'active' AND NEW.status IS NOT OLD.status
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('practice', NEW.id);
END;

CREATE TRIGGER agents_reconcile_active AFTER UPDATE OF active ON agents
WHEN OLD.active AND NOT NEW.active
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('agent', NEW.user_id);
END;
CREATE TRIGGER agents_reconcile_offline AFTER UPDATE OF presence, presence_at ON agents
WHEN NEW.presence = 'offline' AND (OLD.presence <> 'offline' OR OLD.presence_at IS NOT NEW.presence_at)
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('offline', NEW.user_id);
END;

CREATE TRIGGER team_members_reconcile_update AFTER UPDATE ON team_members
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('agent', OLD.user_id);
END;
CREATE TRIGGER team_members_reconcile_delete AFTER DELETE ON team_members
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('agent', OLD.user_id);
END;

CREATE TRIGGER grants_reconcile_update AFTER UPDATE ON grants
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES (OLD.grantee_type, OLD.grantee_id);
END;
CREATE TRIGGER grants_reconcile_delete AFTER DELETE ON grants
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES (OLD.grantee_type, OLD.grantee_id);
END;

CREATE TRIGGER work_items_reconcile_insert AFTER INSERT ON work_items
WHEN NEW.owner_id IS NOT NULL AND NEW.state IN ('assigned', 'in_progress', 'waiting')
 AND EXISTS (SELECT 1 FROM agents a WHERE a.user_id = NEW.owner_id
             AND (NOT a.active OR (a.presence = 'offline' AND NEW.state <> 'waiting')))
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('item', NEW.id);
END;
CREATE TRIGGER work_items_reconcile_update AFTER UPDATE OF state, owner_id ON work_items
WHEN NEW.owner_id IS NOT NULL AND NEW.state IN ('assigned', 'in_progress', 'waiting')
 AND (OLD.owner_id IS NOT NEW.owner_id
   OR OLD.state NOT IN ('assigned', 'in_progress', 'waiting')
   OR (OLD.state = 'waiting' AND NEW.state <> 'waiting'))
 AND EXISTS (SELECT 1 FROM agents a WHERE a.user_id = NEW.owner_id
             AND (NOT a.active OR (a.presence = 'offline' AND NEW.state <> 'waiting')))
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('item', NEW.id);
END;

CREATE INDEX grants_valid_until ON grants (valid_until) WHERE revoked_at IS NULL;
CREATE INDEX grants_review_due ON grants (review_due_at) WHERE revoked_at IS NULL;
CREATE INDEX agents_offline ON agents (presence_at) WHERE presence = 'offline';
