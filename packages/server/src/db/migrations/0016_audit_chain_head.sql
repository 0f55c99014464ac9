-- The head of the audit chain for a writer, in one statement where it took two: takes the chain's
-- advisory lock (held to the end of the transaction: writers are serialised, the chain does not
-- fork), then reads the last row's hash, and the database's clock as the new rows' time. VOLATILE
-- PL/pgSQL on purpose: under READ COMMITTED each statement inside takes a fresh snapshot, so the
-- read after the lock sees the row the previous holder committed while this one waited. A plain
-- `select pg_advisory_xact_lock(…), (select hash …)` would read with the statement's snapshot,
-- taken before the lock was granted, and chain onto a stale head. `at` is the time once the lock
-- is held, to the millisecond, as JavaScript's toISOString writes it (the hash covers that text).
CREATE FUNCTION "audit_chain_head"() RETURNS TABLE ("hash" text, "at" text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7428301);
  RETURN QUERY SELECT
    coalesce((SELECT l.hash FROM audit_log l ORDER BY l.seq DESC LIMIT 1), repeat('0', 64)),
    to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
END
$$;
