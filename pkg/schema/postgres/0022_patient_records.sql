-- The item view reads one patient's balance, claims, recalls and treatment
-- plans. Those tables were indexed by the practice's external ids only, so
-- each read went through every row of the practice and kept the patient's.
-- Indexed by patient, in the order the view lists them, each read is one
-- lookup however large the practice grows.
CREATE INDEX balances_patient ON balances (practice_id, patient_id, total_cents DESC);
CREATE INDEX claims_patient ON claims (practice_id, patient_id, date_of_service DESC);
CREATE INDEX recalls_patient ON recalls (practice_id, patient_id, due_date);
CREATE INDEX treatment_plans_patient ON treatment_plans (practice_id, patient_id, presented_date DESC);
