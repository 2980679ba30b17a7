-- Lookups that read the whole company once it is large; see the PostgreSQL
-- migration of the same number.
CREATE TABLE audit_event_patients (
    patient_id TEXT NOT NULL,
    event_seq  INTEGER NOT NULL,
    PRIMARY KEY (patient_id, event_seq)
) WITHOUT ROWID;
INSERT OR IGNORE INTO audit_event_patients (patient_id, event_seq)
SELECT p.value, e.seq FROM audit_events e, json_each(e.body, '$.patient_ids') p WHERE e.patient_id IS NOT NULL;
CREATE TRIGGER audit_events_patients AFTER INSERT ON audit_events WHEN NEW.patient_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO audit_event_patients (patient_id, event_seq)
    SELECT value, NEW.seq FROM json_each(NEW.body, '$.patient_ids');
END;
DROP INDEX audit_events_patient;

CREATE TRIGGER audit_event_patients_no_update BEFORE UPDATE ON audit_event_patients
BEGIN SELECT RAISE(ABORT, 'audit table audit_event_patients is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_event_patients_no_delete BEFORE DELETE ON audit_event_patients
BEGIN SELECT RAISE(ABORT, 'audit table audit_event_patients is append-only: DELETE refused'); END;

DROP INDEX audit_events_actor;
CREATE INDEX audit_events_actor ON audit_events (actor_subject, seq);
DROP INDEX audit_events_practice;
CREATE INDEX audit_events_practice ON audit_events (practice_id, seq);

CREATE INDEX work_items_finished_at ON work_items (finished_at, created_at, kind, practice_id);
CREATE INDEX work_items_owner_finished ON work_items (owner_id, finished_at) WHERE finished_at IS NOT NULL;
