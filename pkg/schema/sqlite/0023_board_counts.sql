-- Counts the managers' board keeps instead of reading every unfinished
-- item; see the PostgreSQL migration of the same number. SQLite keeps
-- them with row triggers. A day is read from a time's text, written in
-- UTC as every comparison of times here already assumes: its first ten
-- characters, or for board_days the day before when the time is a
-- midnight (no fraction of a second after it).
CREATE TABLE board_depth (
    practice_id       TEXT NOT NULL,
    kind              TEXT NOT NULL,
    open_count        INTEGER NOT NULL DEFAULT 0,
    assigned_count    INTEGER NOT NULL DEFAULT 0,
    in_progress_count INTEGER NOT NULL DEFAULT 0,
    waiting_count     INTEGER NOT NULL DEFAULT 0,
    escalated_count   INTEGER NOT NULL DEFAULT 0,
    pending_count     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (practice_id, kind)
) WITHOUT ROWID;
CREATE TABLE board_due (
    day         TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    contacts    INTEGER NOT NULL DEFAULT 0,
    firsts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, practice_id, kind)
) WITHOUT ROWID;
CREATE TABLE board_days (
    day         TEXT NOT NULL,
    practice_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    made        INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, practice_id, kind)
) WITHOUT ROWID;
CREATE TABLE board_rollup (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    through TEXT NOT NULL
);
INSERT INTO board_rollup (through) VALUES ('0001-01-01');

-- An item counts as what it is after each change: its old self is taken
-- away and its new self added.
CREATE TRIGGER board_items_inserted AFTER INSERT ON work_items
BEGIN
    INSERT INTO board_depth (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count, escalated_count,
        pending_count)
    SELECT NEW.practice_id, NEW.kind, (NEW.state = 'open'), (NEW.state = 'assigned'), (NEW.state = 'in_progress'),
        (NEW.state = 'waiting'), (NEW.state = 'open' AND NEW.escalated_at IS NOT NULL), (NEW.finished_at IS NULL)
    WHERE NEW.state IN ('open', 'assigned', 'in_progress', 'waiting') OR NEW.finished_at IS NULL
    ON CONFLICT (practice_id, kind) DO UPDATE SET open_count = open_count + excluded.open_count,
        assigned_count = assigned_count + excluded.assigned_count, in_progress_count = in_progress_count + excluded.in_progress_count,
        waiting_count = waiting_count + excluded.waiting_count, escalated_count = escalated_count + excluded.escalated_count,
        pending_count = pending_count + excluded.pending_count;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(COALESCE(NEW.next_contact_at, NEW.due_at), 1, 10), NEW.practice_id, NEW.kind, 1, 0
    WHERE NEW.state IN ('open', 'assigned', 'in_progress', 'waiting')
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = contacts + excluded.contacts;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(NEW.due_at, 1, 10), NEW.practice_id, NEW.kind, 0, 1
    WHERE NEW.state IN ('open', 'assigned', 'in_progress', 'waiting') AND NEW.attempts = 0
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET firsts = firsts + excluded.firsts;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, NEW.practice_id, NEW.kind, 1, 0
    FROM (SELECT NEW.created_at AS t) WHERE true
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = made + excluded.made;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, NEW.practice_id, NEW.kind, 0, 1
    FROM (SELECT max(NEW.finished_at, NEW.created_at) AS t) WHERE NEW.finished_at IS NOT NULL
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET done = done + excluded.done;
END;
CREATE TRIGGER board_items_deleted AFTER DELETE ON work_items
BEGIN
    INSERT INTO board_depth (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count, escalated_count,
        pending_count)
    SELECT OLD.practice_id, OLD.kind, -(OLD.state = 'open'), -(OLD.state = 'assigned'), -(OLD.state = 'in_progress'),
        -(OLD.state = 'waiting'), -(OLD.state = 'open' AND OLD.escalated_at IS NOT NULL), -(OLD.finished_at IS NULL)
    WHERE OLD.state IN ('open', 'assigned', 'in_progress', 'waiting') OR OLD.finished_at IS NULL
    ON CONFLICT (practice_id, kind) DO UPDATE SET open_count = open_count + excluded.open_count,
        assigned_count = assigned_count + excluded.assigned_count, in_progress_count = in_progress_count + excluded.in_progress_count,
        waiting_count = waiting_count + excluded.waiting_count, escalated_count = escalated_count + excluded.escalated_count,
        pending_count = pending_count + excluded.pending_count;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(COALESCE(OLD.next_contact_at, OLD.due_at), 1, 10), OLD.practice_id, OLD.kind, -1, 0
    WHERE OLD.state IN ('open', 'assigned', 'in_progress', 'waiting')
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = contacts + excluded.contacts;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(OLD.due_at, 1, 10), OLD.practice_id, OLD.kind, 0, -1
    WHERE OLD.state IN ('open', 'assigned', 'in_progress', 'waiting') AND OLD.attempts = 0
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET firsts = firsts + excluded.firsts;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, OLD.practice_id, OLD.kind, -1, 0
    FROM (SELECT OLD.created_at AS t) WHERE true
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = made + excluded.made;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, OLD.practice_id, OLD.kind, 0, -1
    FROM (SELECT max(OLD.finished_at, OLD.created_at) AS t) WHERE OLD.finished_at IS NOT NULL
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET done = done + excluded.done;
END;
CREATE TRIGGER board_items_updated AFTER UPDATE OF practice_id, kind, state, escalated_at, attempts, next_contact_at, due_at, created_at,
    finished_at ON work_items
WHEN OLD.practice_id IS NOT NEW.practice_id OR OLD.kind IS NOT NEW.kind OR OLD.state IS NOT NEW.state
    OR (OLD.escalated_at IS NULL) IS NOT (NEW.escalated_at IS NULL) OR (OLD.attempts = 0) IS NOT (NEW.attempts = 0)
    OR COALESCE(OLD.next_contact_at, OLD.due_at) IS NOT COALESCE(NEW.next_contact_at, NEW.due_at) OR OLD.due_at IS NOT NEW.due_at
    OR OLD.created_at IS NOT NEW.created_at OR OLD.finished_at IS NOT NEW.finished_at
BEGIN
    INSERT INTO board_depth (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count, escalated_count,
        pending_count)
    SELECT OLD.practice_id, OLD.kind, -(OLD.state = 'open'), -(OLD.state = 'assigned'), -(OLD.state = 'in_progress'),
        -(OLD.state = 'waiting'), -(OLD.state = 'open' AND OLD.escalated_at IS NOT NULL), -(OLD.finished_at IS NULL)
    WHERE OLD.state IN ('open', 'assigned', 'in_progress', 'waiting') OR OLD.finished_at IS NULL
    ON CONFLICT (practice_id, kind) DO UPDATE SET open_count = open_count + excluded.open_count,
        assigned_count = assigned_count + excluded.assigned_count, in_progress_count = in_progress_count + excluded.in_progress_count,
        waiting_count = waiting_count + excluded.waiting_count, escalated_count = escalated_count + excluded.escalated_count,
        pending_count = pending_count + excluded.pending_count;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(COALESCE(OLD.next_contact_at, OLD.due_at), 1, 10), OLD.practice_id, OLD.kind, -1, 0
    WHERE OLD.state IN ('open', 'assigned', 'in_progress', 'waiting')
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = contacts + excluded.contacts;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(OLD.due_at, 1, 10), OLD.practice_id, OLD.kind, 0, -1
    WHERE OLD.state IN ('open', 'assigned', 'in_progress', 'waiting') AND OLD.attempts = 0
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET firsts = firsts + excluded.firsts;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, OLD.practice_id, OLD.kind, -1, 0
    FROM (SELECT OLD.created_at AS t) WHERE true
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = made + excluded.made;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, OLD.practice_id, OLD.kind, 0, -1
    FROM (SELECT max(OLD.finished_at, OLD.created_at) AS t) WHERE OLD.finished_at IS NOT NULL
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET done = done + excluded.done;
    INSERT INTO board_depth (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count, escalated_count,
        pending_count)
    SELECT NEW.practice_id, NEW.kind, (NEW.state = 'open'), (NEW.state = 'assigned'), (NEW.state = 'in_progress'),
        (NEW.state = 'waiting'), (NEW.state = 'open' AND NEW.escalated_at IS NOT NULL), (NEW.finished_at IS NULL)
    WHERE NEW.state IN ('open', 'assigned', 'in_progress', 'waiting') OR NEW.finished_at IS NULL
    ON CONFLICT (practice_id, kind) DO UPDATE SET open_count = open_count + excluded.open_count,
        assigned_count = assigned_count + excluded.assigned_count, in_progress_count = in_progress_count + excluded.in_progress_count,
        waiting_count = waiting_count + excluded.waiting_count, escalated_count = escalated_count + excluded.escalated_count,
        pending_count = pending_count + excluded.pending_count;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(COALESCE(NEW.next_contact_at, NEW.due_at), 1, 10), NEW.practice_id, NEW.kind, 1, 0
    WHERE NEW.state IN ('open', 'assigned', 'in_progress', 'waiting')
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = contacts + excluded.contacts;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT substr(NEW.due_at, 1, 10), NEW.practice_id, NEW.kind, 0, 1
    WHERE NEW.state IN ('open', 'assigned', 'in_progress', 'waiting') AND NEW.attempts = 0
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET firsts = firsts + excluded.firsts;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, NEW.practice_id, NEW.kind, 1, 0
    FROM (SELECT NEW.created_at AS t) WHERE true
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = made + excluded.made;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, NEW.practice_id, NEW.kind, 0, 1
    FROM (SELECT max(NEW.finished_at, NEW.created_at) AS t) WHERE NEW.finished_at IS NOT NULL
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET done = done + excluded.done;
END;

-- What is there already.
INSERT INTO board_depth (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count, escalated_count, pending_count)
SELECT practice_id, kind, sum(state = 'open'), sum(state = 'assigned'), sum(state = 'in_progress'), sum(state = 'waiting'),
    sum(state = 'open' AND escalated_at IS NOT NULL), sum(finished_at IS NULL)
FROM work_items GROUP BY practice_id, kind;
INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
SELECT day, practice_id, kind, sum(contacts), sum(firsts)
FROM (SELECT substr(COALESCE(next_contact_at, due_at), 1, 10) AS day, practice_id, kind, 1 AS contacts, 0 AS firsts
      FROM work_items WHERE state IN ('open', 'assigned', 'in_progress', 'waiting')
      UNION ALL
      SELECT substr(due_at, 1, 10), practice_id, kind, 0, 1 FROM work_items WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND attempts = 0)
GROUP BY day, practice_id, kind;
INSERT INTO board_days (day, practice_id, kind, made, done)
SELECT CASE WHEN substr(t, 12, 8) = '00:00:00' AND substr(t, 20, 1) <> '.' THEN date(substr(t, 1, 10), '-1 day') ELSE substr(t, 1, 10) END, '*', kind, sum(made), sum(done)
FROM (SELECT created_at AS t, kind, 1 AS made, 0 AS done FROM work_items
      UNION ALL
      SELECT max(finished_at, created_at), kind, 0, 1 FROM work_items WHERE finished_at IS NOT NULL)
GROUP BY 1, kind;

-- What the board reads of the items themselves; see the PostgreSQL
-- migration.
CREATE INDEX work_items_next_contact ON work_items (next_contact_at, practice_id, kind)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND next_contact_at IS NOT NULL;
CREATE INDEX work_items_due_contact ON work_items (due_at, practice_id, kind)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND next_contact_at IS NULL;
CREATE INDEX work_items_first_due ON work_items (due_at, id, practice_id, kind)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND attempts = 0;
CREATE INDEX work_items_owner_open ON work_items (owner_id, next_contact_at, due_at, practice_id)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND owner_id IS NOT NULL;
