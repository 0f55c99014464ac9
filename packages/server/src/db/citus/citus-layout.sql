-- shegong on Citus: the sharded layout. NOT applied by the normal migrations; run once, after
-- `shegong migrate`, on the coordinator of a Citus cluster (`shegong citus-setup`, or
-- `psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f citus-layout.sql` after `create extension citus`).
--
-- Distribution key: county_code (the county-level division code). Everything about one county's
-- workers — the worker rows, their archive, the facts of their communities — lives on one shard
-- group, so the everyday queries (a street's or a county's workers) run on one node and a
-- province-wide recomputation runs on all nodes in parallel.
--
-- Reference tables (a full copy on every node, joined locally): the org tree and its dated moves,
-- and the policy-pack tables once they exist. The tree above county is small; below county it
-- is read on almost every request and changes rarely, so replicating it costs little.
--
-- Coordinator-local tables (left as they are): accounts, sessions, rate limits, crypto state,
-- the audit log and its checkpoints (one hash chain, written under one advisory lock), jobs and
-- import batches. They are small or append-only and never joined with distributed tables.
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

-- 2. Reference tables.
select create_reference_table('org');
--> statement-breakpoint
select create_reference_table('org_move');
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
