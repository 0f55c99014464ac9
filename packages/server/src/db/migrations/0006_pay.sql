CREATE TABLE "pay_conversion" (
	"id" uuid PRIMARY KEY NOT NULL,
	"pack_id" text NOT NULL,
	"effective_on" date NOT NULL,
	"org_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text,
	"title" text NOT NULL,
	"status" text NOT NULL,
	"job_id" uuid,
	"worker_count" integer DEFAULT 0 NOT NULL,
	"raised_count" integer DEFAULT 0 NOT NULL,
	"lowered_count" integer DEFAULT 0 NOT NULL,
	"open_count" integer DEFAULT 0 NOT NULL,
	"before_total_fen" bigint DEFAULT 0 NOT NULL,
	"after_total_fen" bigint DEFAULT 0 NOT NULL,
	"before_from" date,
	"after_from" date,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pay_conversion_line" (
	"conversion_id" uuid NOT NULL,
	"worker_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"org_path" text NOT NULL,
	"post" text,
	"years" smallint,
	"status" text NOT NULL,
	"reason" text,
	"before_grade" smallint,
	"before_coefficient" text,
	"before_base_fen" bigint,
	"before_monthly_fen" bigint,
	"after_grade" smallint,
	"after_coefficient" text,
	"after_base_fen" bigint,
	"after_monthly_fen" bigint,
	"diff_fen" bigint,
	CONSTRAINT "pay_conversion_line_pk" PRIMARY KEY("conversion_id","worker_id")
);
--> statement-breakpoint
CREATE TABLE "pay_line" (
	"run_id" uuid NOT NULL,
	"worker_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"for_month" text NOT NULL,
	"month" text NOT NULL,
	"county_code" text NOT NULL,
	"org_path" text NOT NULL,
	"pack_id" text,
	"eval_on" date NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"post" text,
	"title" text,
	"years" smallint,
	"grade" smallint,
	"coefficient" text,
	"probation" boolean DEFAULT false NOT NULL,
	"base_fen" bigint,
	"performance_fen" bigint,
	"allowances_fen" bigint,
	"one_off_fen" bigint DEFAULT 0 NOT NULL,
	"annual_fen" bigint,
	"monthly_fen" bigint,
	"paid_days" smallint,
	"month_days" smallint,
	"payable_fen" bigint,
	"input" jsonb,
	CONSTRAINT "pay_line_pk" PRIMARY KEY("run_id","worker_id","kind","for_month")
);
--> statement-breakpoint
CREATE TABLE "pay_run" (
	"id" uuid PRIMARY KEY NOT NULL,
	"street_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"month" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"worker_count" integer DEFAULT 0 NOT NULL,
	"open_count" integer DEFAULT 0 NOT NULL,
	"total_fen" bigint DEFAULT 0 NOT NULL,
	"arrears_fen" bigint DEFAULT 0 NOT NULL,
	"packs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"computed_at" timestamp with time zone,
	"computed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"reviewed_by" uuid,
	"locked_at" timestamp with time zone,
	"locked_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "pay_conversion_path_idx" ON "pay_conversion" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "pay_line_worker_idx" ON "pay_line" USING btree ("worker_id","for_month");--> statement-breakpoint
CREATE UNIQUE INDEX "pay_run_street_month_uq" ON "pay_run" USING btree ("street_code","month");--> statement-breakpoint
CREATE INDEX "pay_run_path_idx" ON "pay_run" USING btree ("org_path" text_pattern_ops);