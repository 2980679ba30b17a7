-- A payer's payment that leaves the patient a share looks for the
-- patient's open balance follow-up; the patient index alone made that a
-- walk over all of the patient's items, finished ones included.
CREATE INDEX work_items_patient_open ON work_items (patient_id, kind, created_at) WHERE state NOT IN ('resolved', 'closed');
