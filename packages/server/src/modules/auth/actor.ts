import { ROLE_PERMISSIONS, type TRole } from '@shegong/shared';
import type { TActor } from '../../context.ts';
import type { TUserRow } from './auth.repo.ts';

/** The caller as the rest of the server sees it: role capabilities and the data scope. */
export const buildActor = (
  user: Pick<TUserRow, 'id' | 'username' | 'displayName' | 'role' | 'orgCode' | 'workerId'>,
  orgPath: string,
): TActor => {
  const role = user.role as TRole;
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role,
    orgCode: user.orgCode,
    workerId: user.workerId,
    permissions: ROLE_PERMISSIONS[role],
    scope:
      role === 'worker' && user.workerId
        ? { kind: 'self', workerId: user.workerId, path: orgPath, orgCode: user.orgCode }
        : { kind: 'org', path: orgPath, orgCode: user.orgCode },
  };
};
