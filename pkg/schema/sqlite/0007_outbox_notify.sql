-- PostgreSQL wakes relays in other processes through NOTIFY. SQLite serves
-- one process, where the writer wakes the relay directly; nothing to do.
SELECT 1;
