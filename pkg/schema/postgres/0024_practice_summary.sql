-- A practice's summary reads the same rows at every size of the company,
-- yet took longer the larger it was (docs/development.md, "Costs as the
-- data grows"): its statements read one practice's rows from the heap of
-- tables the whole company shares, where they lie on more pages the more
-- practices there are, and "each patient's last contact" read every
-- contact of the practice's year. These indexes hold what each statement
-- needs, so each reads a range of one index, the same at any size.
--
-- Building them blocks writes to activities and work_items for as long
-- as each takes (a minute or so for four million activities).

-- The practice's history, newest first: what was promised and paid since
-- a day, and reportstore's walk through the contacts to the newest
-- patients' latest (outcome and item to tell a contact and find its
-- item's kind). It takes over from activities_practice_at, which only
-- the summary read.
CREATE INDEX activities_practice_history ON activities (practice_id, at DESC, patient_id, id)
    INCLUDE (outcome, work_item_id, promised_cents, paid_cents);
DROP INDEX activities_practice_at;

-- The practice's unfinished items by kind, with what tells an overdue one.
DROP INDEX work_items_unfinished;
CREATE INDEX work_items_unfinished ON work_items (practice_id, kind) INCLUDE (state, next_contact_at, due_at)
    WHERE state NOT IN ('resolved', 'closed');

-- The practice's finished items by time, with what the counts of those
-- resolved and closed lately group by.
DROP INDEX work_items_finished;
CREATE INDEX work_items_finished ON work_items (practice_id, finished_at) INCLUDE (kind, state)
    WHERE finished_at IS NOT NULL;
