CREATE TABLE "stat_rollup" (
	"org_code" text NOT NULL,
	"dim" text NOT NULL,
	"value" text NOT NULL,
	"n" bigint NOT NULL,
	"county_code" text,
	CONSTRAINT "stat_rollup_pk" PRIMARY KEY("org_code","dim","value")
);
