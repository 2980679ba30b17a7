-- Nobody approves or reviews their own action (docs/identity.md,
-- docs/access.md).
--
-- Users: whether the provider vouched for the email at the last sign-in,
-- so that accounts sharing a verified email count as one person, and the
-- roles the provider's groups gave at that sign-in, so that an invitation
-- to someone who holds platform_admin or compliance can wait for a second
-- platform admin's confirmation.
ALTER TABLE users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';
CREATE INDEX users_email ON users (email);

-- Invitations: where each stands, and who confirmed one that needed it.
ALTER TABLE invitations ADD COLUMN state TEXT NOT NULL DEFAULT 'open'
    CHECK (state IN ('open', 'awaiting_confirmation', 'confirmed', 'accepted', 'refused'));
ALTER TABLE invitations ADD COLUMN confirmed_by TEXT;
ALTER TABLE invitations ADD COLUMN confirmed_at TIMESTAMPTZ;
UPDATE invitations SET state = 'accepted' WHERE accepted_by IS NOT NULL;

-- Break-glass reviews: what the reviewer concluded, as a code.
ALTER TABLE break_glass ADD COLUMN review_disposition TEXT NOT NULL DEFAULT ''
    CHECK (review_disposition IN ('', 'justified', 'not_justified', 'referred'));
