-- The first platform admin of a deployment whose identity provider maps
-- no group to platform_admin yet: an operator names a verified email with
-- `backdeskctl admin bootstrap`, and whoever signs in with that email
-- holds platform_admin until the grant is removed. At most one grant is
-- made, and only while nobody holds platform_admin (docs/identity.md).
CREATE TABLE platform_admin_grants (
    email      TEXT PRIMARY KEY,
    granted_by TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL
);
