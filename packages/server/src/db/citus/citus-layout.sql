-- shegong on Citus: the sharded layout. NOT applied by the normal migrations; run once, after
-- `shegong migrate`, on the coordinator of a Citus cluster (`shegong citus-setup`, or
-- `psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f citus-layout.sql` after `create extension citus`).
--
-- Distribution key: county_code (the county-level division code). Everything about one county's
-- workers — the worker rows, their archive, the facts of their communities, and the workflows'
-- per-worker records (applications, proposals, assessment scores, training attendance, case
-- studies, secondment requests) — lives on one shard group, so the everyday queries (a street's
-- or a county's workers) run on one node and a province-wide recomputation runs on all nodes in
-- parallel. Queries join these records with worker on (worker_id, county_code).
--
-- Reference tables (a full copy on every node, joined locally): the org tree and its dated moves,
-- the workflows' definitions (recruitment campaigns and posts, assessment cycles, training
-- courses) and the policy-pack tables once they exist. They are small or read on almost every
-- request and change rarely, so replicating them costs little.
--
-- Coordinator-local tables (left as they are): accounts, sessions, rate limits, crypto state,
-- the audit log and its checkpoints (one hash chain, written under one advisory lock), jobs,
-- import batches, the statistics rollup, pay, and requests to add admission-list items. They are
-- small or append-only and never joined with distributed tables (COORDINATOR_TABLES_WITH_COUNTY
-- in citus.ts gives the reason for each such table that has a county_code).
--
-- Statements are separated by statement-breakpoint marker lines, as in the migrations.

-- 1. Citus requires every primary key and unique index of a distributed table to contain the
--    distribution column.
alter table org_fact alter column county_code set not null;
--> statement-breakpoint

alter table worker drop constraint worker_pkey;
--> statement-breakpoint
alter table worker add primary key (id, county_code);
--> statement-breakpoint
drop index worker_id_number_hash_uq;
--> statement-breakpoint
-- 身份证号 stays unique within a county here; across counties the application looks the blind
-- index up before inserting (a global unique index cannot exist on a sharded column).
create unique index worker_id_number_hash_uq on worker (county_code, id_number_hash);
--> statement-breakpoint

alter table archive_item drop constraint archive_item_pkey;
--> statement-breakpoint
alter table archive_item add primary key (id, county_code);
--> statement-breakpoint

alter table org_fact drop constraint org_fact_pkey;
--> statement-breakpoint
alter table org_fact add primary key (id, county_code);
--> statement-breakpoint
drop index org_fact_org_date_uq;
--> statement-breakpoint
create unique index org_fact_org_date_uq on org_fact (county_code, org_code, effective_from);
--> statement-breakpoint

-- The workflows' per-worker records (issue #7): applications, proposals, assessment scores,
-- training attendance, case studies and secondment requests. Each grows with the workforce
-- (one or more rows per worker a year) and is read with its worker, so it is distributed like
-- archive_item. Their county_code is the worker's (the post's for an application).
alter table recruitment_application drop constraint recruitment_application_pkey;
--> statement-breakpoint
alter table recruitment_application add primary key (id, county_code);
--> statement-breakpoint
drop index recruitment_application_person_uq;
--> statement-breakpoint
-- A campaign belongs to one county or street, so its posts and applications are in one county:
-- one application per person and campaign still holds.
create unique index recruitment_application_person_uq
  on recruitment_application (county_code, campaign_id, id_number_hash);
--> statement-breakpoint

alter table workflow_proposal drop constraint workflow_proposal_pkey;
--> statement-breakpoint
alter table workflow_proposal add primary key (id, county_code);
--> statement-breakpoint
drop index workflow_proposal_dedupe_uq;
--> statement-breakpoint
-- Every dedupe key names its worker (`exit:<worker id>:…`), and the application looks the key
-- up in all counties before inserting (proposeInTx).
create unique index workflow_proposal_dedupe_uq on workflow_proposal (county_code, dedupe_key);
--> statement-breakpoint

-- Same constraint names as before: the results upsert names the constraint (on conflict on
-- constraint assessment_score_pk), which works on both layouts.
alter table assessment_score drop constraint assessment_score_pk;
--> statement-breakpoint
alter table assessment_score
  add constraint assessment_score_pk primary key (cycle_id, worker_id, county_code);
--> statement-breakpoint
alter table training_attendance drop constraint training_attendance_pk;
--> statement-breakpoint
alter table training_attendance
  add constraint training_attendance_pk primary key (course_id, worker_id, county_code);
--> statement-breakpoint

alter table case_study drop constraint case_study_pkey;
--> statement-breakpoint
alter table case_study add primary key (id, county_code);
--> statement-breakpoint
alter table secondment_request drop constraint secondment_request_pkey;
--> statement-breakpoint
alter table secondment_request add primary key (id, county_code);
--> statement-breakpoint

-- 2. Reference tables.
select create_reference_table('org');
--> statement-breakpoint
select create_reference_table('org_move');
--> statement-breakpoint
-- The workflows' definitions: campaigns and their posts, assessment cycles, training courses.
-- A few per county a year, written rarely, and joined with the distributed per-worker records
-- (an application with its campaign, attendance with its course), so a copy on every node
-- keeps those joins on the node.
select create_reference_table('recruitment_campaign');
--> statement-breakpoint
select create_reference_table('recruitment_post');
--> statement-breakpoint
select create_reference_table('assessment_cycle');
--> statement-breakpoint
select create_reference_table('training_course');
--> statement-breakpoint
do $$
begin
  if to_regclass('policy_pack') is not null then
    perform create_reference_table('policy_pack');
  end if;
end $$;
--> statement-breakpoint

-- 3. Distributed tables, co-located by county_code.
select create_distributed_table('worker', 'county_code');
--> statement-breakpoint
select create_distributed_table('archive_item', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('org_fact', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('recruitment_application', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('workflow_proposal', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('assessment_score', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('training_attendance', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('case_study', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
select create_distributed_table('secondment_request', 'county_code', colocate_with => 'worker');
--> statement-breakpoint
