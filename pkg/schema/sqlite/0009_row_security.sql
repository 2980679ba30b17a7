-- Row-level security and the application role exist only on PostgreSQL
-- (see postgres/0009_row_security.sql). SQLite has neither roles nor
-- policies: it serves the dev binary and the fast tests, never production.
SELECT 1;
