import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { buildApp } from './app.ts';
import { createServices, ensureDemo, ensureInitialAdmin, ensureRootOrg } from './bootstrap.ts';
import { loadConfig, type TConfig } from './config.ts';
import type { TServices } from './context.ts';
import { startPgliteMaintenance } from './db/pglite-maintenance.ts';
import { loopTurns } from './http/request-queue.ts';
import { markInterruptedJobs } from './jobs/jobs.ts';
import { createLogger } from './logger.ts';
import { recoverInterruptedBatches } from './modules/excel/recover-batches.ts';

export type TRunningServer = {
  url: string;
  services: TServices;
  close: () => Promise<void>;
};

/**
 * Starts shegong: validated configuration, database opened and migrated, demo data on an empty
 * database, the first administrator, then UI + API on PORT. SIGINT/SIGTERM close the HTTP
 * server and the database cleanly (PGlite must be closed to stay consistent).
 */
export const startServer = async (
  config: TConfig = loadConfig(),
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<TRunningServer> => {
  const log = createLogger(config.LOG_LEVEL);
  const services = await createServices(config, log);
  await ensureRootOrg(services);
  await markInterruptedJobs(services.database.db);
  await recoverInterruptedBatches(services.database.db);
  const demo = await ensureDemo(services, (done, total) => {
    if (done === total || done % 5000 < 300) out(`载入演示数据：${done}/${total} 名工作者`);
  });
  if (demo) out(`演示数据已载入：${demo.orgs} 个机构节点，${demo.workers} 名社区工作者`);
  const admin = await ensureInitialAdmin(services);
  if (admin) {
    out('');
    out('已创建初始管理员（仅显示这一次）：');
    out(`  用户名：${admin.username}`);
    out(`  密码：  ${admin.password}`);
    out(`  （同时写入 ${admin.file}，权限 0600）`);
    out('');
  }
  const app = buildApp(services);
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () =>
      resolve(s as Server),
    ) as Server;
  });
  // Requests wait while connections are being accepted (http/request-queue.ts, LoopTurns).
  server.on('connection', loopTurns.noteConnection);
  // PGlite has no autovacuum: the server vacuums and analyzes the tables due (db/pglite-maintenance.ts).
  const maintenance =
    services.database.kind === 'pglite'
      ? startPgliteMaintenance(services.database.db, log)
      : undefined;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://localhost:${port}`;
  out(
    `shegong 已启动：${url}（数据库：${services.database.kind === 'pglite' ? `PGlite ${config.dataDir}` : 'PostgreSQL'}）`,
  );
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      // What the disconnected requests' statements cost: cancels sent, and those left to run.
      const cancels = services.database.cancels;
      if (cancels && cancels.sent + cancels.skipped > 0)
        out(
          `语句取消：已发送 ${cancels.sent} 次（失败 ${cancels.failed} 次，进行中 ${cancels.inflight} 个，同时最多 ${cancels.peak} 个），未取消而运行至结束 ${cancels.skipped} 条（DB_CANCEL_MAX_INFLIGHT = ${cancels.maxInflight}）`,
        );
      await maintenance?.stop();
      await services.database.close();
      log.info('shegong stopped');
    })();
    return closing;
  };
  return { url, services, close };
};

/** Installs SIGINT/SIGTERM handlers that shut the server down gracefully. */
export const closeOnSignals = (running: TRunningServer) => {
  const stop = (signal: string) => {
    process.stdout.write(`\n收到 ${signal}，正在关闭……\n`);
    running
      .close()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
};
