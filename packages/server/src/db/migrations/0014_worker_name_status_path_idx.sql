-- The name search (a prefix) with status and the org path beside the name, replacing the index on
-- the name only: the worker list's capped count for a name prefix + status in a scope is then an
-- index-only scan where the visibility map is set (docs/performance.md, Load).
DROP INDEX "worker_name_idx";--> statement-breakpoint
CREATE INDEX "worker_name_status_path_idx" ON "worker" USING btree ("name" text_pattern_ops,"status","org_path" text_pattern_ops);