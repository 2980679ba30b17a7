-- Reporting facts for managers and practices: when an item finished (for
-- "resolved this week") and what a contact collected (for "paid as
-- recorded"), beside the promised amount activities already carry.
ALTER TABLE work_items ADD COLUMN finished_at TIMESTAMPTZ;
UPDATE work_items SET finished_at = updated_at WHERE state IN ('resolved', 'closed');
CREATE INDEX work_items_finished ON work_items (practice_id, finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX work_items_unfinished ON work_items (practice_id, kind) WHERE state NOT IN ('resolved', 'closed');

ALTER TABLE activities ADD COLUMN paid_cents BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0);
CREATE INDEX activities_practice_at ON activities (practice_id, at);
CREATE INDEX activities_actor_at ON activities (actor_id, at);
