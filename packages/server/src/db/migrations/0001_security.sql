CREATE TABLE "audit_checkpoint" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"through_seq" bigint NOT NULL,
	"through_hash" text NOT NULL,
	"through_at" timestamp with time zone NOT NULL,
	"row_count" bigint NOT NULL,
	"file_name" text,
	"file_sha256" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crypto_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"index_suite" text NOT NULL,
	"key_check" text NOT NULL,
	"rekey_target_suite" text,
	"rekey_target_check" text,
	"rekey_progress" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limit" (
	"key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "rate_limit_key_window_start_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
ALTER TABLE "app_user" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_checkpoint_seq_idx" ON "audit_checkpoint" USING btree ("through_seq");