import { createServices, loadConfig, systemActor, type TCtx } from '@shegong/server';
import { ensureRootOrg } from '@shegong/server/bootstrap.ts';

/** Opens the configured database (migrated) for a one-shot CLI command and closes it after. */
export const withServices = async <T>(fn: (ctx: TCtx) => Promise<T>): Promise<T> => {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const services = await createServices(config);
  try {
    // The tree's root, as the first start makes it: `user add` may come before any start.
    await ensureRootOrg(services);
    return await fn({
      db: services.database.db,
      actor: systemActor(),
      services,
      log: services.log,
    });
  } finally {
    await services.database.close();
  }
};
