/**
 * Grants for the PostgreSQL role the servers log in as, when the schema belongs to another role
 * (the one `shegong migrate`, `rekey`, `restore` and `citus-setup` run as). The application
 * role reads and writes the data but cannot change or remove audit records, nor alter or drop
 * any table: the database enforces what the code already never does (等保 8.1.4.3 c).
 */
export const appRoleGrants = (role: string, database: string): string[] => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role) || !/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
    throw new Error('role and database must be plain lower-case identifiers');
  }
  return [
    // The migrator checks its own bookkeeping at start-up (create … if not exists).
    `grant connect, create on database ${database} to ${role}`,
    `grant usage, create on schema drizzle to ${role}`,
    `grant select on all tables in schema drizzle to ${role}`,
    `grant usage on schema public to ${role}`,
    `grant select, insert, update, delete on all tables in schema public to ${role}`,
    `grant usage, select on all sequences in schema public to ${role}`,
    `revoke update, delete, truncate on audit_log, audit_checkpoint from ${role}`,
    // Tables added by later migrations (run by the owner) get the same grants.
    `alter default privileges in schema public grant select, insert, update, delete on tables to ${role}`,
    `alter default privileges in schema public grant usage, select on sequences to ${role}`,
  ];
};
