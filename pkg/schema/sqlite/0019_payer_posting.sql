-- Posting payers' files as a billing office would: a claim status keeps
-- every status the payer gave (not only the first), its service lines'
-- statuses and a finalized claim's payment; a remittance keeps the
-- claim's remark codes; an import keeps what its file said that applies
-- to no one claim (provider-level adjustments, batch and provider
-- statuses), for the practice to see.
ALTER TABLE claim_status_events ADD COLUMN other_statuses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE claim_status_events ADD COLUMN service_lines TEXT NOT NULL DEFAULT '[]';
ALTER TABLE claim_status_events ADD COLUMN paid_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claim_status_events ADD COLUMN check_number TEXT NOT NULL DEFAULT '';
ALTER TABLE claim_status_events ADD COLUMN payment_date TEXT NOT NULL DEFAULT '';
ALTER TABLE claim_remittances ADD COLUMN remark_codes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE imports ADD COLUMN notices TEXT NOT NULL DEFAULT '[]';
