-- The reporting tables keep what the events keep: store::Partitions prunes their rows with the
-- event partitions (store.retentionDays), so no table grows without bound. Each DELETE uses
-- the row's last change, so a row is kept while anything about it is recent.

CREATE FUNCTION sipbridge_prune_records_before(cutoff date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  bound constant timestamptz := cutoff::timestamp AT TIME ZONE 'UTC';
  pruned bigint;
  total bigint := 0;
BEGIN
  DELETE FROM messages WHERE updated_at < bound;
  GET DIAGNOSTICS pruned = ROW_COUNT;
  total := total + pruned;
  DELETE FROM call_legs WHERE ended_at < bound;
  GET DIAGNOSTICS pruned = ROW_COUNT;
  total := total + pruned;
  DELETE FROM sessions WHERE state = 'ended' AND ended_at < bound;
  GET DIAGNOSTICS pruned = ROW_COUNT;
  total := total + pruned;
  RETURN total;
END $$;
COMMENT ON FUNCTION sipbridge_prune_records_before(date) IS 'Deletes messages last changed, call legs ended and sessions ended before cutoff (UTC): the reporting rows of the days whose events are dropped. Returns the number of rows deleted.';
