-- The managers' board counted the work by reading every unfinished item
-- of the company (docs/development.md, "Costs as the data grows"). These
-- tables keep its counts instead, changed by the statements that change
-- the items (statement triggers on work_items, in the same transaction),
-- so the board reads a few rows per practice and kind, and per kind and
-- day. reportstore's board.go reads them; TestKeptCountsMatchARecount
-- holds them to a recount of the items.
--
-- The migration holds writes to work_items while it counts what is there
-- and builds the indexes below: about half a minute for two million items
-- on two cores (the count alone took 2 s for 200,000).
LOCK TABLE work_items IN SHARE ROW EXCLUSIVE MODE;

-- Per practice and kind: the unfinished items in each state, the open
-- ones escalated, and the items with no finished_at, which the depth
-- history counts from.
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
);

-- Per UTC day, practice and kind: the unfinished items whose next contact
-- (or, before the first, due date) falls on the day, and those not yet
-- contacted whose due date does. The board adds up the days before today
-- and reads today's items themselves, as "now" falls within the day.
-- Day 0001-01-01 stands for every day before board_rollup.through: the
-- board merges past days into it, so what it adds up stays a row per
-- practice and kind, however long the items have waited.
CREATE TABLE board_due (
    day         DATE NOT NULL,
    practice_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    contacts    INTEGER NOT NULL DEFAULT 0,
    firsts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, practice_id, kind)
);

-- Per UTC day, practice and kind: the items made and finished in the day,
-- for the depth history. Day d holds the times after d's midnight up to
-- and including the next one, the history's "by the end of the day"; an
-- item is counted finished no earlier than it was made. The board merges
-- past days of every practice into practice '*', which only a
-- transaction spanning every practice sees.
CREATE TABLE board_days (
    day         DATE NOT NULL,
    practice_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    made        INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, practice_id, kind)
);

-- board_due's days before this one are merged into its day 0001-01-01.
CREATE TABLE board_rollup (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    through DATE NOT NULL
);
INSERT INTO board_rollup (through) VALUES ('0001-01-01');

-- A practice's counts are its own, as the items they count.
ALTER TABLE board_depth ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON board_depth
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE board_due ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON board_due
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');
ALTER TABLE board_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON board_days
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

-- The UTC day of t, and the day whose end is the first at or after t (a
-- midnight belongs to the day it ends): made by the end of day d is made
-- in a day up to d.
CREATE FUNCTION board_day(t TIMESTAMPTZ) RETURNS DATE LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (t AT TIME ZONE 'UTC')::date;
CREATE FUNCTION board_end_day(t TIMESTAMPTZ) RETURNS DATE LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((t - interval '1 microsecond') AT TIME ZONE 'UTC')::date;

-- board_count takes the items of gone away from the counts and adds those
-- of added, one statement per table. Each locks its rows in key order,
-- so two statements counting the same rows queue rather than deadlock.
CREATE FUNCTION board_count(gone work_items[], added work_items[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH c AS (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, a.* FROM unnest(added) a)
    INSERT INTO board_depth AS b (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count,
        escalated_count, pending_count)
    SELECT * FROM (
        SELECT practice_id, kind, sum(CASE WHEN state = 'open' THEN sign ELSE 0 END) AS open_count,
            sum(CASE WHEN state = 'assigned' THEN sign ELSE 0 END) AS assigned_count,
            sum(CASE WHEN state = 'in_progress' THEN sign ELSE 0 END) AS in_progress_count,
            sum(CASE WHEN state = 'waiting' THEN sign ELSE 0 END) AS waiting_count,
            sum(CASE WHEN state = 'open' AND escalated_at IS NOT NULL THEN sign ELSE 0 END) AS escalated_count,
            sum(CASE WHEN finished_at IS NULL THEN sign ELSE 0 END) AS pending_count
        FROM c GROUP BY practice_id, kind) s
    WHERE open_count <> 0 OR assigned_count <> 0 OR in_progress_count <> 0 OR waiting_count <> 0 OR escalated_count <> 0
       OR pending_count <> 0
    ORDER BY practice_id, kind
    ON CONFLICT (practice_id, kind) DO UPDATE SET
        open_count = b.open_count + excluded.open_count,
        assigned_count = b.assigned_count + excluded.assigned_count,
        in_progress_count = b.in_progress_count + excluded.in_progress_count,
        waiting_count = b.waiting_count + excluded.waiting_count,
        escalated_count = b.escalated_count + excluded.escalated_count,
        pending_count = b.pending_count + excluded.pending_count;

    WITH c AS (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, a.* FROM unnest(added) a)
    INSERT INTO board_due AS b (day, practice_id, kind, contacts, firsts)
    SELECT day, practice_id, kind, sum(contacts), sum(firsts)
    FROM (SELECT board_day(COALESCE(next_contact_at, due_at)) AS day, practice_id, kind, sign AS contacts, 0 AS firsts
          FROM c WHERE state IN ('open', 'assigned', 'in_progress', 'waiting')
          UNION ALL
          SELECT board_day(due_at), practice_id, kind, 0, sign
          FROM c WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND attempts = 0) x
    GROUP BY day, practice_id, kind
    HAVING sum(contacts) <> 0 OR sum(firsts) <> 0
    ORDER BY day, practice_id, kind
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = b.contacts + excluded.contacts, firsts = b.firsts + excluded.firsts;

    WITH c AS (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, a.* FROM unnest(added) a)
    INSERT INTO board_days AS b (day, practice_id, kind, made, done)
    SELECT day, practice_id, kind, sum(made), sum(done)
    FROM (SELECT board_end_day(created_at) AS day, practice_id, kind, sign AS made, 0 AS done FROM c
          UNION ALL
          SELECT board_end_day(greatest(finished_at, created_at)), practice_id, kind, 0, sign FROM c WHERE finished_at IS NOT NULL) x
    GROUP BY day, practice_id, kind
    HAVING sum(made) <> 0 OR sum(done) <> 0
    ORDER BY day, practice_id, kind
    ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = b.made + excluded.made, done = b.done + excluded.done;
END
$$;

-- The triggers hand board_count what a statement changed: every item it
-- inserted or deleted, and the items an update changed in what the board
-- counts (most updates, of a lease or a priority, change none of it).
CREATE FUNCTION board_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone  work_items[];
    added work_items[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        added := ARRAY(SELECT n FROM new_items n);
    ELSIF TG_OP = 'DELETE' THEN
        gone := ARRAY(SELECT o FROM old_items o);
    ELSE
        SELECT array_agg(o) FILTER (WHERE o.id IS NOT NULL), array_agg(n) FILTER (WHERE n.id IS NOT NULL) INTO gone, added
        FROM old_items o FULL JOIN new_items n ON n.id = o.id
        WHERE o.id IS NULL OR n.id IS NULL
           OR (o.practice_id, o.kind, o.state, o.escalated_at IS NULL, o.attempts = 0, COALESCE(o.next_contact_at, o.due_at), o.due_at,
               o.created_at, o.finished_at)
              IS DISTINCT FROM
              (n.practice_id, n.kind, n.state, n.escalated_at IS NULL, n.attempts = 0, COALESCE(n.next_contact_at, n.due_at), n.due_at,
               n.created_at, n.finished_at);
    END IF;
    IF cardinality(gone) > 0 OR cardinality(added) > 0 THEN
        PERFORM board_count(gone, added);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER board_items_inserted AFTER INSERT ON work_items
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION board_items_changed();
CREATE TRIGGER board_items_updated AFTER UPDATE ON work_items
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION board_items_changed();
CREATE TRIGGER board_items_deleted AFTER DELETE ON work_items
    REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION board_items_changed();

-- TRUNCATE deletes without a DELETE trigger: nothing is left to count.
CREATE FUNCTION board_items_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM board_depth;
    DELETE FROM board_due;
    DELETE FROM board_days;
    RETURN NULL;
END
$$;
CREATE TRIGGER board_items_truncated AFTER TRUNCATE ON work_items
    FOR EACH STATEMENT EXECUTE FUNCTION board_items_truncated();

-- board_recount counts every item again, for this migration and for a
-- load that skipped the triggers (pg_restore --disable-triggers, or the
-- scale benchmark's COPY). The board merges the past days as it reads
-- them.
CREATE FUNCTION board_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM board_depth;
    DELETE FROM board_due;
    DELETE FROM board_days;
    UPDATE board_rollup SET through = '0001-01-01';
    INSERT INTO board_depth (practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count, escalated_count, pending_count)
    SELECT practice_id, kind, count(*) FILTER (WHERE state = 'open'), count(*) FILTER (WHERE state = 'assigned'),
        count(*) FILTER (WHERE state = 'in_progress'), count(*) FILTER (WHERE state = 'waiting'),
        count(*) FILTER (WHERE state = 'open' AND escalated_at IS NOT NULL), count(*) FILTER (WHERE finished_at IS NULL)
    FROM work_items GROUP BY practice_id, kind;
    INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
    SELECT day, practice_id, kind, sum(contacts), sum(firsts)
    FROM (SELECT board_day(COALESCE(next_contact_at, due_at)) AS day, practice_id, kind, 1 AS contacts, 0 AS firsts
          FROM work_items WHERE state IN ('open', 'assigned', 'in_progress', 'waiting')
          UNION ALL
          SELECT board_day(due_at), practice_id, kind, 0, 1
          FROM work_items WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND attempts = 0) x
    GROUP BY day, practice_id, kind;
    INSERT INTO board_days (day, practice_id, kind, made, done)
    SELECT day, '*', kind, sum(made), sum(done)
    FROM (SELECT board_end_day(created_at) AS day, kind, 1 AS made, 0 AS done FROM work_items
          UNION ALL
          SELECT board_end_day(greatest(finished_at, created_at)), kind, 0, 1 FROM work_items WHERE finished_at IS NOT NULL) x
    GROUP BY day, kind;
END
$$;
REVOKE EXECUTE ON FUNCTION board_recount() FROM PUBLIC;
SELECT board_recount();

-- What the board reads of the items themselves, each a range of an index
-- holding what the count and row-level security need: today's contacts
-- and first-contact due dates up to now, the oldest breaches, and each
-- agent's unfinished items. A contact is the next contact date or, when
-- there is none, the due date; the conditions name the two columns
-- rather than COALESCE, which row-level security would not let an index
-- answer (it is not known to be leakproof).
CREATE INDEX work_items_next_contact ON work_items (next_contact_at, practice_id, kind)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND next_contact_at IS NOT NULL;
CREATE INDEX work_items_due_contact ON work_items (due_at, practice_id, kind)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND next_contact_at IS NULL;
CREATE INDEX work_items_first_due ON work_items (due_at, id, practice_id, kind)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND attempts = 0;
CREATE INDEX work_items_owner_open ON work_items (owner_id, next_contact_at, due_at, practice_id)
    WHERE state IN ('open', 'assigned', 'in_progress', 'waiting') AND owner_id IS NOT NULL;
