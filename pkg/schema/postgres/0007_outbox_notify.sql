-- Wake relays in other processes as soon as outbox rows commit: NOTIFY is
-- delivered at commit, once per transaction and channel, so a bulk insert
-- costs one notification.
CREATE FUNCTION backdesk_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('backdesk_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION backdesk_outbox_notify();
