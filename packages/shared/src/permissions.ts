import type { TRole } from './vocab.ts';

/** Capabilities a route may require. Roles grant capabilities; the org scope limits the data. */
export const PERMISSIONS = [
  'org:read',
  'org:write',
  'worker:read',
  'worker:write',
  'worker:read-sensitive',
  'user:manage',
  'audit:read',
  'policy:read',
  'quota:read',
  'pay:read',
  'pay:write',
  /** Locking a reviewed 工资发放表: a duty apart from computing and reviewing it. */
  'pay:lock',
  'import:run',
  'stats:read',
  'workflow:read',
  'workflow:write',
  'workflow:approve',
  'audit:verify',
] as const;
export type TPermission = (typeof PERMISSIONS)[number];

const ALL: readonly TPermission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Record<TRole, readonly TPermission[]> = {
  'system-admin': ALL,
  'civil-affairs-admin': ALL.filter((p) => p !== 'user:manage' && p !== 'audit:verify'),
  // The street computes and reviews its 工资发放表; locking it (the month becomes final) is the
  // county or city bureau's duty (pay:lock), and never by the person who reviewed the sheet.
  'street-admin': [
    'org:read',
    'org:write',
    'worker:read',
    'worker:write',
    'worker:read-sensitive',
    'audit:read',
    'policy:read',
    'quota:read',
    'pay:read',
    'pay:write',
    'import:run',
    'stats:read',
    'workflow:read',
    'workflow:write',
  ],
  'community-secretary': [
    'org:read',
    'worker:read',
    'policy:read',
    'quota:read',
    'stats:read',
    'workflow:read',
    'workflow:write',
  ],
  worker: ['worker:read', 'policy:read', 'workflow:read'],
  // Separation of duties (GB/T 22239-2019 8.1.4.2 c): the security administrator manages
  // accounts, roles, lockouts and password resets but reads no people data; the audit
  // administrator reads and verifies the audit log and changes nothing. No role may edit or
  // delete audit records: no route or command does.
  'security-admin': ['org:read', 'user:manage'],
  'audit-admin': ['org:read', 'audit:read', 'audit:verify'],
};

export const hasPermission = (role: TRole, permission: TPermission): boolean =>
  ROLE_PERMISSIONS[role].includes(permission);
