-- A note sent again with the same Idempotency-Key (a client retrying a
-- request whose answer it lost) is kept once: the key is unique per item
-- and author.
ALTER TABLE activities ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX activities_request_key ON activities (work_item_id, actor_id, request_key) WHERE request_key IS NOT NULL;
