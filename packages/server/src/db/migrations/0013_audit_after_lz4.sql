-- An import's snapshot documents (audit_log.after, about 1.6 MB each) are TOASTed: lz4 takes
-- about a third less of the server's CPU than pglz for them (docs/performance.md, Import). A
-- server built without lz4 (PGlite) keeps its default; only new values are compressed so.
DO $$
BEGIN
  ALTER TABLE "audit_log" ALTER COLUMN "after" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END $$;
