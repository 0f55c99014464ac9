import { createServices, loadConfig, systemActor, type TCtx } from '@shegong/server';

/** Opens the configured database (migrated) for a one-shot CLI command and closes it after. */
export const withServices = async <T>(fn: (ctx: TCtx) => Promise<T>): Promise<T> => {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const services = await createServices(config);
  try {
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
