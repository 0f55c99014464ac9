ALTER TABLE "import_stage_worker" DROP COLUMN "post_item_id";--> statement-breakpoint
ALTER TABLE "import_stage_worker" DROP COLUMN "audit_after";