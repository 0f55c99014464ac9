import type { TActor, TCtx, TServices } from '../context.ts';
import type { TLogger } from '../logger.ts';

export type TAppEnv = {
  Variables: {
    requestId: string;
    log: TLogger;
    services: TServices;
    actor: TActor | undefined;
    /** The use-case context of an authenticated request (set with `actor`). */
    ctx: TCtx;
    sessionId: string | undefined;
    csrfToken: string | undefined;
  };
};
