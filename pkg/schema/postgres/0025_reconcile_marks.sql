-- What the reconciler needs to judge only what changed (docs/development.md,
-- "Costs as the data grows"). Each pass used to judge every owned item's
-- owner (is the practice active, the agent active and online, a grant
-- current?), reading work_items_practice whole. An owner loses the right
-- to an item in one of two ways:
--
-- * by a write: a practice leaves 'active', an agent is deactivated or
--   goes offline, a member leaves a team, a grant is revoked, shortened or
--   loses a kind, an item reaches an owner who is offline or inactive.
--   The triggers below write a mark naming what changed, in the writer's
--   transaction, whatever code wrote it;
-- * by time: a grant's valid_until or review_due_at passes, an offline
--   agent's grace runs out. The reconciler finds those by their times,
--   since the last pass (reconcile_passes), through the indexes below.
--
-- Each pass judges the owned items of what is marked or lapsed, stamps the
-- marks it has seen and, a few minutes later, deletes them: until then
-- every pass judges them again, so an item assigned by a transaction that
-- raced the change is still caught. The marks name practices, agents,
-- teams and items by id only; they hold none of a practice's data, so the
-- table is not practice-scoped (its columns say subject, not practice_id).
CREATE TABLE reconcile_marks (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject    TEXT NOT NULL CHECK (subject IN ('practice', 'agent', 'team', 'offline', 'item')),
    subject_id TEXT NOT NULL,
    seen_at    TIMESTAMPTZ
);
CREATE INDEX reconcile_marks_subject ON reconcile_marks (subject, subject_id);

-- The time of the last pass that judged everything up to it; no row until
-- the first pass, which judges every owned item.
CREATE TABLE reconcile_passes (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    passed_at TIMESTAMPTZ NOT NULL
);

-- A practice that stops being active: all its owned items.
CREATE FUNCTION reconcile_mark_practice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('practice', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER practices_reconcile AFTER UPDATE OF status ON practices FOR EACH ROW
    WHEN (NEW.status <> 'active' AND NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION reconcile_mark_practice();

-- An agent deactivated ('agent': all its owned items), or going offline or
-- moving its offline time ('offline': its items not waiting, which the
-- grace is about; its lapse is found by time, the mark covers a presence
-- time written late or none at all).
CREATE FUNCTION reconcile_mark_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.active AND NOT NEW.active THEN
        INSERT INTO reconcile_marks (subject, subject_id) VALUES ('agent', NEW.user_id);
    END IF;
    IF NEW.presence = 'offline' AND (OLD.presence <> 'offline' OR OLD.presence_at IS DISTINCT FROM NEW.presence_at) THEN
        INSERT INTO reconcile_marks (subject, subject_id) VALUES ('offline', NEW.user_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER agents_reconcile AFTER UPDATE OF active, presence, presence_at ON agents FOR EACH ROW
    WHEN ((OLD.active AND NOT NEW.active)
       OR (NEW.presence = 'offline' AND (OLD.presence <> 'offline' OR OLD.presence_at IS DISTINCT FROM NEW.presence_at)))
    EXECUTE FUNCTION reconcile_mark_agent();

-- A member leaving a team: all its owned items (the team's grants covered
-- them).
CREATE FUNCTION reconcile_mark_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES ('agent', OLD.user_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER team_members_reconcile AFTER UPDATE OR DELETE ON team_members FOR EACH ROW
    EXECUTE FUNCTION reconcile_mark_member();

-- A grant changed or removed (revoked, dates moved, kinds or grantee
-- changed): the owned items of its grantee as it was, an agent or every
-- member of a team.
CREATE FUNCTION reconcile_mark_grantee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reconcile_marks (subject, subject_id) VALUES (OLD.grantee_type, OLD.grantee_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER grants_reconcile AFTER UPDATE OR DELETE ON grants FOR EACH ROW
    EXECUTE FUNCTION reconcile_mark_grantee();

-- An item reaching an owner who cannot hold it: inactive, or offline when
-- the item is not waiting (a hand-off to an offline agent, a waiting item
-- called back by a payer's answer). Routing never picks such an owner, so
-- this marks almost nothing; the WHEN clause keeps every other update of
-- the table, and every start of work, from calling the function.
CREATE FUNCTION reconcile_mark_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM agents a WHERE a.user_id = NEW.owner_id
               AND (NOT a.active OR (a.presence = 'offline' AND NEW.state <> 'waiting'))) THEN
        INSERT INTO reconcile_marks (subject, subject_id) VALUES ('item', NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER work_items_reconcile_insert AFTER INSERT ON work_items FOR EACH ROW
    WHEN (NEW.owner_id IS NOT NULL AND NEW.state IN ('assigned', 'in_progress', 'waiting'))
    EXECUTE FUNCTION reconcile_mark_item();
CREATE TRIGGER work_items_reconcile_update AFTER UPDATE OF state, owner_id ON work_items FOR EACH ROW
    WHEN (NEW.owner_id IS NOT NULL AND NEW.state IN ('assigned', 'in_progress', 'waiting')
      AND (OLD.owner_id IS DISTINCT FROM NEW.owner_id
        OR OLD.state NOT IN ('assigned', 'in_progress', 'waiting')
        OR (OLD.state = 'waiting' AND NEW.state <> 'waiting')))
    EXECUTE FUNCTION reconcile_mark_item();

-- Lapses by time, found by range: a live grant's end and review date, an
-- offline agent's presence time.
CREATE INDEX grants_valid_until ON grants (valid_until) WHERE revoked_at IS NULL;
CREATE INDEX grants_review_due ON grants (review_due_at) WHERE revoked_at IS NULL;
CREATE INDEX agents_offline ON agents (presence_at) WHERE presence = 'offline';
