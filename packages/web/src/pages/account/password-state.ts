import type { TMe } from '../../api/types.ts';

/** Whether the server requires a new password before anything else (expired or temporary). */
export const passwordChangeRequired = (me: TMe | undefined): boolean =>
  Boolean((me as (TMe & { passwordChangeRequired?: boolean }) | undefined)?.passwordChangeRequired);
