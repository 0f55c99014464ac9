import { defineConfig } from 'vitest/config';

const unit = {
  test: {
    name: 'unit',
    include: ['packages/*/src/**/*.test.ts', 'policies/**/*.test.ts'],
    exclude: ['**/*.db.test.ts', '**/node_modules/**'],
    environment: 'node',
  },
};

const dbProject = (name: 'pglite' | 'pg') => ({
  test: {
    name: `db-${name}`,
    include: ['packages/*/src/**/*.db.test.ts'],
    environment: 'node',
    env: { SHEGONG_TEST_DB: name },
    globalSetup: ['packages/server/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [unit, dbProject('pglite'), ...(process.env.DATABASE_URL ? [dbProject('pg')] : [])],
  },
});
