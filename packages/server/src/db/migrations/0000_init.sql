CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"actor_name" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"org_path" text,
	"before" jsonb,
	"after" jsonb,
	"reason" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_user" (
	"id" uuid PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"org_code" text NOT NULL,
	"worker_id" uuid,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "app_user_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "session" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "org" (
	"code" text PRIMARY KEY NOT NULL,
	"parent_code" text,
	"level" text NOT NULL,
	"name" text NOT NULL,
	"path" text NOT NULL,
	"pack_id" text,
	"county_code" text,
	"sort" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_fact" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_code" text NOT NULL,
	"county_code" text,
	"effective_from" date NOT NULL,
	"households_registered" integer,
	"households_resident" integer,
	"population" integer,
	"kind" text,
	"star_rating" smallint,
	"grid_satisfaction" smallint,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_move" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_code" text NOT NULL,
	"from_parent_code" text NOT NULL,
	"to_parent_code" text NOT NULL,
	"effective_on" date NOT NULL,
	"reason" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "archive_item" (
	"id" uuid PRIMARY KEY NOT NULL,
	"worker_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"kind" text NOT NULL,
	"start_on" date NOT NULL,
	"end_on" date,
	"data" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worker" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"id_number_cipher" text NOT NULL,
	"id_number_hash" text NOT NULL,
	"id_number_masked" text NOT NULL,
	"birth_date" date NOT NULL,
	"sex" text NOT NULL,
	"phone_cipher" text,
	"phone_hash" text,
	"phone_masked" text,
	"ethnicity" text DEFAULT '汉族' NOT NULL,
	"political_status" text DEFAULT '群众' NOT NULL,
	"education_level" text NOT NULL,
	"education_major" text,
	"education_recognised" boolean DEFAULT true NOT NULL,
	"certificate_level" text DEFAULT '无' NOT NULL,
	"certificate_date" date,
	"veteran" boolean DEFAULT false NOT NULL,
	"lives_in_community" boolean DEFAULT false NOT NULL,
	"service_started_on" date NOT NULL,
	"prior_service" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT '在岗' NOT NULL,
	"community_code" text NOT NULL,
	"grid_code" text,
	"org_path" text NOT NULL,
	"county_code" text NOT NULL,
	"post_title" text,
	"post_category" text,
	"hired_on" date,
	"probation_until" date,
	"exited_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_log" USING btree ("entity","entity_id","seq");--> statement-breakpoint
CREATE INDEX "audit_org_path_idx" ON "audit_log" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "session_user_idx" ON "session" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "org_path_idx" ON "org" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "org_parent_idx" ON "org" USING btree ("parent_code","sort","code");--> statement-breakpoint
CREATE UNIQUE INDEX "org_fact_org_date_uq" ON "org_fact" USING btree ("org_code","effective_from");--> statement-breakpoint
CREATE INDEX "archive_worker_idx" ON "archive_item" USING btree ("worker_id","kind","start_on");--> statement-breakpoint
CREATE UNIQUE INDEX "worker_id_number_hash_uq" ON "worker" USING btree ("id_number_hash");--> statement-breakpoint
CREATE INDEX "worker_org_path_idx" ON "worker" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "worker_community_idx" ON "worker" USING btree ("community_code");--> statement-breakpoint
CREATE INDEX "worker_name_idx" ON "worker" USING btree ("name" text_pattern_ops);