-- Routing attributes of agents: skills, capacity, hours, presence.
-- kinds, payers and languages are JSON arrays of names.
ALTER TABLE agents ADD COLUMN kinds TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agents ADD COLUMN payers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE agents ADD COLUMN languages TEXT NOT NULL DEFAULT '["en"]';
ALTER TABLE agents ADD COLUMN capacity INTEGER NOT NULL DEFAULT 40 CHECK (capacity >= 0);
ALTER TABLE agents ADD COLUMN timezone TEXT NOT NULL DEFAULT 'America/New_York';
ALTER TABLE agents ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE agents ADD COLUMN presence TEXT NOT NULL DEFAULT 'offline'
    CHECK (presence IN ('available', 'away', 'offline'));
ALTER TABLE agents ADD COLUMN presence_at TIMESTAMPTZ;

-- Routing state of work items: when it was assigned, why it is not, when
-- the next routing attempt is due, whether it was escalated to managers.
ALTER TABLE work_items ADD COLUMN assigned_at TIMESTAMPTZ;
ALTER TABLE work_items ADD COLUMN route_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work_items ADD COLUMN route_after TIMESTAMPTZ;
ALTER TABLE work_items ADD COLUMN unassigned_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE work_items ADD COLUMN escalated_at TIMESTAMPTZ;
CREATE INDEX work_items_routing ON work_items (route_after) WHERE state = 'open';
CREATE INDEX work_items_due ON work_items (next_contact_at) WHERE state = 'waiting';
CREATE INDEX work_items_owned ON work_items (owner_id, state) WHERE owner_id IS NOT NULL;
