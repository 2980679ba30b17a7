-- Lookups that read the whole company once it is large (docs/development.md,
-- "Costs as the data grows").
--
-- A search of the audit trail by patient matched the body with LIKE, for
-- the events that name several patients, and no index serves that: every
-- search read every event. audit_event_patients lists each event's
-- patients, written by the INSERT that writes the event (a statement
-- trigger, so the audit commit stays one statement), and a search reads
-- the patient's rows of it by key. It takes over from the patient
-- column's index, which no search uses any more.
CREATE TABLE audit_event_patients (
    patient_id TEXT NOT NULL,
    event_seq  BIGINT NOT NULL,
    PRIMARY KEY (patient_id, event_seq)
);
INSERT INTO audit_event_patients (patient_id, event_seq)
SELECT DISTINCT p.id, e.seq FROM audit_events e, jsonb_array_elements_text(e.body::jsonb -> 'patient_ids') AS p(id)
WHERE e.patient_id IS NOT NULL;

CREATE FUNCTION audit_event_patients_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_event_patients (patient_id, event_seq)
    SELECT DISTINCT p.id, n.seq FROM added n, jsonb_array_elements_text(n.body::jsonb -> 'patient_ids') AS p(id)
    WHERE n.patient_id IS NOT NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_events_patients AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION audit_event_patients_add();
DROP INDEX audit_events_patient;

-- Append-only, as the rest of the trail.
CREATE TRIGGER audit_event_patients_append_only BEFORE UPDATE OR DELETE ON audit_event_patients
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_event_patients_no_truncate BEFORE TRUNCATE ON audit_event_patients
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event_patients FROM backdesk_app;
GRANT SELECT, INSERT ON audit_event_patients TO backdesk_app;

-- Searches by actor and by practice list a page, newest first by seq. With
-- the indexes ordered by time, the planner walked the whole trail
-- backwards until the page filled; a practice holds one event in five
-- hundred of a large company's trail. Ordered by seq, a page is read
-- straight from the index.
DROP INDEX audit_events_actor;
CREATE INDEX audit_events_actor ON audit_events (actor_subject, seq);
DROP INDEX audit_events_practice;
CREATE INDEX audit_events_practice ON audit_events (practice_id, seq);

-- The managers' board counts, for each of the last days, the items made by
-- then and not finished by then: it read every item once a day shown. The
-- items that matter are the unfinished ones and those finished within the
-- days shown, which this index holds at its two ends, with what the count
-- and row-level security need, so the whole history is one read of the
-- index.
CREATE INDEX work_items_finished_at ON work_items (finished_at, created_at, kind, practice_id);

-- The board counts each agent's items finished today and in the last
-- week: through the owner index that read every item the agent ever had.
CREATE INDEX work_items_owner_finished ON work_items (owner_id, finished_at) WHERE finished_at IS NOT NULL;
