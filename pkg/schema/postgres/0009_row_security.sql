-- Row-level security: the second wall behind the application's access
-- checks (docs/database-roles.md).
--
-- Services connect as backdesk_app, which owns no table and cannot bypass
-- row security. Each transaction names the practice it works for with
-- set_config('backdesk.practice_id', <practice id>, true); every
-- practice-scoped table then shows, and accepts, only that practice's rows.
-- The value '*' is the scope of system work that spans practices on purpose
-- (sign-in, platform administration). Without the setting a transaction
-- sees no practice-scoped row at all.
--
-- The owner, the role that runs these migrations, is not subject to the
-- policies: row security is enabled, not forced, so migrations and
-- backfills see every row. The audit tables get no policies (compliance
-- reads them across practices); they are protected by the append-only
-- triggers of 0005 and by backdesk_app holding only SELECT and INSERT on
-- them.

-- The application role. The migration sets no password: operators do
-- (ALTER ROLE backdesk_app PASSWORD ...), or create the role themselves
-- beforehand. Roles belong to the whole cluster, so two databases migrated
-- at once may race to create it; the loser finds it made.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backdesk_app') THEN
        CREATE ROLE backdesk_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- Refuse a role that would defeat the policies: a superuser, a role with
-- BYPASSRLS, or one that holds the table owner's privileges (owners bypass
-- row security, and so do members of the owning role). The same holds if
-- these migrations run as backdesk_app itself.
DO $$
DECLARE
    bad text;
BEGIN
    IF current_user = 'backdesk_app' THEN
        RAISE EXCEPTION 'run migrations as the owner role, not as the application role backdesk_app';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backdesk_app' AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION 'role backdesk_app must be NOSUPERUSER and NOBYPASSRLS: row-level security would not apply to it';
    END IF;
    SELECT c.relname INTO bad FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND pg_has_role('backdesk_app', c.relowner, 'USAGE')
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'role backdesk_app holds the privileges of the owner of table %; it must not own the tables or be a member of their owner', bad;
    END IF;
END
$$;

-- Privileges. Ordinary tables: read and write. Audit tables: read and
-- append, never change or remove (the triggers refuse that too, even for
-- the owner). Migration bookkeeping: read only.
GRANT USAGE ON SCHEMA public TO backdesk_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    practices, locations, practice_policies, invitations, practice_memberships,
    patients, balances, claims, recalls, treatment_plans, work_items,
    imports, import_files, import_errors,
    grants, access_requests, break_glass,
    users, agents, teams, team_members,
    outbox, processed_tasks
TO backdesk_app;
GRANT SELECT, INSERT ON audit_events, audit_leaves, audit_checkpoints TO backdesk_app;
GRANT SELECT ON schema_migrations TO backdesk_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO backdesk_app;

-- Tables and sequences that later migrations create (as this same owner)
-- are granted the same way. A later migration that adds an audit-like
-- table must still REVOKE UPDATE, DELETE on it, and one that adds a
-- practice-scoped table must enable row security and add its policy.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO backdesk_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO backdesk_app;

-- Policies: one per practice-scoped table, the same rule for reading
-- (USING) and writing (WITH CHECK). current_setting(..., true) is NULL or
-- '' when the transaction set no scope, which matches no practice.
ALTER TABLE practices ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON practices
    USING (id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE locations ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON locations
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE practice_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON practice_policies
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON invitations
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE practice_memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON practice_memberships
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON patients
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE balances ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON balances
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON claims
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE recalls ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON recalls
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE treatment_plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON treatment_plans
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE work_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON work_items
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON imports
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON grants
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE access_requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON access_requests
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

ALTER TABLE break_glass ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON break_glass
    USING (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')
    WITH CHECK (practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*');

-- An import's file chunks and row errors carry no practice_id of their
-- own: they belong to the practice of their import.
ALTER TABLE import_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON import_files
    USING (EXISTS (SELECT 1 FROM imports i WHERE i.id = import_files.import_id
        AND (i.practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')))
    WITH CHECK (EXISTS (SELECT 1 FROM imports i WHERE i.id = import_files.import_id
        AND (i.practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')));

ALTER TABLE import_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY practice_scope ON import_errors
    USING (EXISTS (SELECT 1 FROM imports i WHERE i.id = import_errors.import_id
        AND (i.practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')))
    WITH CHECK (EXISTS (SELECT 1 FROM imports i WHERE i.id = import_errors.import_id
        AND (i.practice_id = current_setting('backdesk.practice_id', true) OR current_setting('backdesk.practice_id', true) = '*')));
