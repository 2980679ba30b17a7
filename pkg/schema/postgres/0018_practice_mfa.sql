-- A practice may require a second factor of everyone who reads its
-- patients' data (docs/identity.md, "A second factor for patient data").
ALTER TABLE practices ADD COLUMN require_mfa BOOLEAN NOT NULL DEFAULT FALSE;
