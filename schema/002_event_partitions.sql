-- Day partitions of events (UTC), created and dropped by store::Partitions through these
-- functions, which quote every identifier and literal with format().
--
-- The DEFAULT partition problem: attaching a partition for a range fails while rows of
-- that range sit in events_default. Partitions are therefore created days ahead so the
-- default stays empty; when it is not (clock jump, late maintenance), the function moves
-- the range's rows out of the default partition into the new table and then attaches it,
-- in one transaction with the default partition locked, so no insert can slip in between.

CREATE FUNCTION sipbridge_event_partition_name(day date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'events_p' || to_char(day, 'YYYYMMDD') $$;

CREATE FUNCTION sipbridge_ensure_event_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := sipbridge_event_partition_name(day);
  lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  -- Serialises nodes running maintenance at the same time.
  PERFORM pg_advisory_xact_lock(hashtext('sipbridge_event_partitions'));
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM events_default WHERE created_at >= lo AND created_at < hi) THEN
    LOCK TABLE events_default IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM events_default WHERE created_at >= $1 AND created_at < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved', part)
      USING lo, hi;
    EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  ELSE
    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  END IF;
  EXECUTE format('COMMENT ON TABLE %I IS %L', part, 'Events of ' || day::text || ' (UTC).');
  RETURN true;
END $$;
COMMENT ON FUNCTION sipbridge_ensure_event_partition(date) IS 'Creates the events partition of one UTC day if missing (moving its rows out of events_default). Returns true when created.';

CREATE FUNCTION sipbridge_drop_event_partitions_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('sipbridge_event_partitions'));
  FOR part IN
    SELECT c.relname
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'events'::regclass
      AND c.relname ~ '^events_p[0-9]{8}$'
      AND to_date(substr(c.relname, 9), 'YYYYMMDD') < cutoff
  LOOP
    EXECUTE format('DROP TABLE %I', part.relname);
    dropped := dropped + 1;
  END LOOP;
  DELETE FROM events_default WHERE created_at < cutoff::timestamp AT TIME ZONE 'UTC';
  DELETE FROM hook_deliveries WHERE event_created_at < cutoff::timestamp AT TIME ZONE 'UTC';
  RETURN dropped;
END $$;
COMMENT ON FUNCTION sipbridge_drop_event_partitions_before(date) IS 'Drops the events partitions of days before cutoff (UTC), old rows of events_default and their hook deliveries. Returns the number of partitions dropped.';
