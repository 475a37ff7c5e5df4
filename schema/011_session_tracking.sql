-- Sessions are recorded from their ConnectionStatusEvents, in the transaction that commits
-- the event: the first one creates the row, FAILED or DISCONNECTED ends it. A session row
-- therefore exists exactly when its first event is durable, with no separate write.
CREATE FUNCTION sipbridge_track_session() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ending boolean := NEW.status IN ('FAILED', 'DISCONNECTED');
BEGIN
  INSERT INTO sessions (session_id, app_key, node_id, sip_login, state, created_at, ended_at)
  VALUES (NEW.session_id, NEW.app_key, NEW.node_id, coalesce(NEW.payload ->> 'sipLogin', ''),
          CASE WHEN ending THEN 'ended' ELSE 'active' END, NEW.created_at,
          CASE WHEN ending THEN NEW.created_at END)
  ON CONFLICT (session_id) DO UPDATE
    SET state = 'ended', ended_at = EXCLUDED.created_at
    WHERE ending AND sessions.state = 'active';
  RETURN NULL;
END;
$$;
COMMENT ON FUNCTION sipbridge_track_session() IS
  'Keeps sessions in step with committed ConnectionStatusEvents (same transaction).';

CREATE TRIGGER events_track_session AFTER INSERT ON events
  FOR EACH ROW WHEN (NEW.type = 'ConnectionStatusEvent')
  EXECUTE FUNCTION sipbridge_track_session();
