-- The data version of the statistics: one counter that every transaction changing what a
-- dashboard reads (stat_rollup, org, org_fact, worker — through the writers of
-- modules/stats/stat-maintenance.ts) raises once, at its commit. A process keeps computed
-- dashboards under the version it read before computing them and serves one again only while the
-- version is unchanged, so a write committed through any process is seen by every other at once.
--
-- A writer marks its transaction (`stat_change`: one row per transaction id, a second mark does
-- nothing); the deferred trigger raises the counter and removes the mark when the transaction
-- commits. So the counter's row is locked only from the commit's trigger to the commit's end:
-- writers do not wait on it in mid-transaction (the audit chain's lock already serialises them
-- there), and no cycle with other locks can form (nothing is locked after it).
CREATE TABLE "stat_version" (
  "id" smallint PRIMARY KEY DEFAULT 1 CHECK ("id" = 1),
  "n" bigint NOT NULL
);--> statement-breakpoint
INSERT INTO "stat_version" ("id", "n") VALUES (1, 1);--> statement-breakpoint
CREATE TABLE "stat_change" ("tx" bigint PRIMARY KEY);--> statement-breakpoint
CREATE FUNCTION "stat_version_bump"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE stat_version SET n = n + 1 WHERE id = 1;
  DELETE FROM stat_change WHERE tx = NEW.tx;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "stat_change_at_commit" AFTER INSERT ON "stat_change"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "stat_version_bump"();
