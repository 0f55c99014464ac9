export { buildApp } from './app.ts';
export * from './bootstrap.ts';
export { loadConfig, type TConfig } from './config.ts';
export { systemActor, type TCtx, type TServices } from './context.ts';
export { openDatabase, runMigrations, type TDatabase } from './db/client.ts';
export { closeOnSignals, startServer } from './main.ts';
