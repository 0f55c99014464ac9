CREATE TABLE "import_batch" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"file_size" integer NOT NULL,
	"status" text NOT NULL,
	"on_error" text,
	"rows" integer DEFAULT 0 NOT NULL,
	"valid" integer DEFAULT 0 NOT NULL,
	"invalid" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"warning_count" integer DEFAULT 0 NOT NULL,
	"job_id" uuid,
	"created_by" uuid NOT NULL,
	"created_by_name" text NOT NULL,
	"org_path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"committed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "import_file" (
	"batch_id" uuid PRIMARY KEY NOT NULL,
	"content_cipher" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_issue" (
	"batch_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"severity" text NOT NULL,
	"sheet" text NOT NULL,
	"row" integer NOT NULL,
	"column_header" text,
	"column_letter" text,
	"field" text,
	"message" text NOT NULL,
	CONSTRAINT "import_issue_batch_id_seq_pk" PRIMARY KEY("batch_id","seq")
);
--> statement-breakpoint
CREATE TABLE "import_stage_worker" (
	"batch_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"row_no" integer NOT NULL,
	"sheet" text NOT NULL,
	"id" uuid NOT NULL,
	"name" text,
	"id_number_cipher" text NOT NULL,
	"id_number_hash" text NOT NULL,
	"id_number_masked" text NOT NULL,
	"birth_date" date NOT NULL,
	"sex" text NOT NULL,
	"phone_cipher" text,
	"phone_hash" text,
	"phone_masked" text,
	"ethnicity" text,
	"political_status" text,
	"education_level" text,
	"education_major" text,
	"education_recognised" boolean,
	"certificate_level" text,
	"certificate_date" date,
	"veteran" boolean,
	"lives_in_community" boolean,
	"service_started_on" date,
	"status" text,
	"community_code" text,
	"grid_code" text,
	"org_path" text,
	"county_code" text,
	"post_title" text,
	"hired_on" date,
	"probation_until" date,
	CONSTRAINT "import_stage_worker_batch_id_seq_pk" PRIMARY KEY("batch_id","seq")
);
--> statement-breakpoint
CREATE INDEX "import_batch_org_path_idx" ON "import_batch" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "import_batch_created_idx" ON "import_batch" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "import_stage_worker_hash_idx" ON "import_stage_worker" USING btree ("batch_id","id_number_hash");