ALTER TABLE "import_stage_worker" ADD COLUMN "post_item_id" uuid;--> statement-breakpoint
ALTER TABLE "import_stage_worker" ADD COLUMN "audit_after" text;