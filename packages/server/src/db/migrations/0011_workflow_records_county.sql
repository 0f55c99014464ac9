-- A worker's records carry the worker's county_code (the Citus distribution key; joins with
-- worker are on worker_id and county_code). Rows written before a worker moved to another county
-- kept the old county: give them the worker's county again. From now on the moves do it
-- (alignRecordsToWorkerCounty).
UPDATE "archive_item" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";--> statement-breakpoint
UPDATE "recruitment_application" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";--> statement-breakpoint
UPDATE "workflow_proposal" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";--> statement-breakpoint
UPDATE "assessment_score" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";--> statement-breakpoint
UPDATE "training_attendance" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";--> statement-breakpoint
UPDATE "case_study" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";--> statement-breakpoint
UPDATE "secondment_request" x SET "county_code" = w."county_code" FROM "worker" w
  WHERE w."id" = x."worker_id" AND x."county_code" <> w."county_code";
