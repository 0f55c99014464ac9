-- No query filters or joins on the ciphertexts or the masks (searches use the blind indexes), so
-- the planner needs no statistics of them: ANALYZE of 100,000 workers (after a large import, and
-- autovacuum's) then takes about 0.1 s less (docs/performance.md, Import).
ALTER TABLE "worker" ALTER COLUMN "id_number_cipher" SET STATISTICS 0;--> statement-breakpoint
ALTER TABLE "worker" ALTER COLUMN "phone_cipher" SET STATISTICS 0;--> statement-breakpoint
ALTER TABLE "worker" ALTER COLUMN "id_number_masked" SET STATISTICS 0;--> statement-breakpoint
ALTER TABLE "worker" ALTER COLUMN "phone_masked" SET STATISTICS 0;
