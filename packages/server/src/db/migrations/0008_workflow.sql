CREATE TABLE "assessment_cycle" (
	"id" uuid PRIMARY KEY NOT NULL,
	"year" smallint NOT NULL,
	"org_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text,
	"pack_id" text,
	"dimensions" jsonb NOT NULL,
	"status" text DEFAULT '进行中' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessment_score" (
	"cycle_id" uuid NOT NULL,
	"worker_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"scores" jsonb NOT NULL,
	"total" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assessment_score_pk" PRIMARY KEY("cycle_id","worker_id")
);
--> statement-breakpoint
CREATE TABLE "case_study" (
	"id" uuid PRIMARY KEY NOT NULL,
	"worker_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"year" smallint NOT NULL,
	"title" text NOT NULL,
	"submitted_on" date NOT NULL,
	"status" text DEFAULT '待审核' NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recruitment_application" (
	"id" uuid PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"post_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"id_number_cipher" text NOT NULL,
	"id_number_hash" text NOT NULL,
	"id_number_masked" text NOT NULL,
	"birth_date" date NOT NULL,
	"sex" text NOT NULL,
	"phone_cipher" text,
	"phone_masked" text,
	"education_level" text NOT NULL,
	"education_recognised" boolean DEFAULT true NOT NULL,
	"education_major" text,
	"certificate_level" text DEFAULT '无' NOT NULL,
	"certificate_date" date,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"eligibility" jsonb NOT NULL,
	"eligible" boolean NOT NULL,
	"priority_count" smallint DEFAULT 0 NOT NULL,
	"review" text DEFAULT '待审查' NOT NULL,
	"review_note" text,
	"written_score" integer,
	"interview_score" integer,
	"medical" text,
	"background" text,
	"outcome" text,
	"worker_id" uuid,
	"reserve_from" date,
	"reserve_ended_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recruitment_campaign" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"org_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text,
	"pack_id" text,
	"step" text NOT NULL,
	"status" text DEFAULT '进行中' NOT NULL,
	"announced_on" date NOT NULL,
	"apply_until" date NOT NULL,
	"written_weight" smallint NOT NULL,
	"interview_weight" smallint NOT NULL,
	"notice_from" date,
	"notice_until" date,
	"hired_on" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recruitment_post" (
	"id" uuid PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"community_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"post_title" text NOT NULL,
	"seats" smallint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "secondment_request" (
	"id" uuid PRIMARY KEY NOT NULL,
	"worker_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"street_code" text NOT NULL,
	"kind" text NOT NULL,
	"borrower" text NOT NULL,
	"borrower_kind" text NOT NULL,
	"purpose" text NOT NULL,
	"from_on" date NOT NULL,
	"to_on" date NOT NULL,
	"status" text DEFAULT '待审批' NOT NULL,
	"checks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"archive_item_id" uuid,
	"returned_on" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text
);
--> statement-breakpoint
CREATE TABLE "training_attendance" (
	"course_id" uuid NOT NULL,
	"worker_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"archive_item_id" uuid NOT NULL,
	"passed" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "training_attendance_pk" PRIMARY KEY("course_id","worker_id")
);
--> statement-breakpoint
CREATE TABLE "training_course" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"kind" text NOT NULL,
	"org_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text,
	"organiser" text,
	"start_on" date NOT NULL,
	"end_on" date NOT NULL,
	"hours" numeric(6, 1) NOT NULL,
	"days" numeric(5, 1) NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_item_request" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_code" text NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text,
	"name" text NOT NULL,
	"departments" jsonb NOT NULL,
	"content" text NOT NULL,
	"reason" text NOT NULL,
	"funding" text NOT NULL,
	"status" text DEFAULT '待审批' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text
);
--> statement-breakpoint
CREATE TABLE "workflow_proposal" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"worker_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"title" text NOT NULL,
	"reason" text NOT NULL,
	"rule" text,
	"rule_source" text,
	"payload" jsonb NOT NULL,
	"origin" text,
	"dedupe_key" text NOT NULL,
	"status" text DEFAULT '待审批' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "assessment_cycle_org_year_uq" ON "assessment_cycle" USING btree ("org_code","year");--> statement-breakpoint
CREATE INDEX "assessment_cycle_path_idx" ON "assessment_cycle" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "case_study_path_idx" ON "case_study" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "case_study_worker_idx" ON "case_study" USING btree ("worker_id","year");--> statement-breakpoint
CREATE UNIQUE INDEX "recruitment_application_person_uq" ON "recruitment_application" USING btree ("campaign_id","id_number_hash");--> statement-breakpoint
CREATE INDEX "recruitment_application_post_idx" ON "recruitment_application" USING btree ("post_id");--> statement-breakpoint
CREATE INDEX "recruitment_application_county_idx" ON "recruitment_application" USING btree ("county_code","outcome");--> statement-breakpoint
CREATE INDEX "recruitment_campaign_path_idx" ON "recruitment_campaign" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "recruitment_post_campaign_idx" ON "recruitment_post" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "secondment_request_path_idx" ON "secondment_request" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "secondment_request_street_idx" ON "secondment_request" USING btree ("street_code","from_on");--> statement-breakpoint
CREATE INDEX "secondment_request_worker_idx" ON "secondment_request" USING btree ("worker_id");--> statement-breakpoint
CREATE INDEX "training_course_path_idx" ON "training_course" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "work_item_request_path_idx" ON "work_item_request" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_proposal_dedupe_uq" ON "workflow_proposal" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "workflow_proposal_path_idx" ON "workflow_proposal" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "workflow_proposal_worker_idx" ON "workflow_proposal" USING btree ("worker_id");