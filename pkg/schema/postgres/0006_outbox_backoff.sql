-- A row whose enqueue keeps failing waits, with growing delays, instead of
-- taking every relay pass and starving the rows behind it.
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMPTZ;
