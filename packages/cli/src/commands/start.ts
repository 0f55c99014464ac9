import { closeOnSignals, loadConfig, startServer } from '@shegong/server';
import type { Command } from 'commander';

export const registerStartCommand = (program: Command): void => {
  program
    .command('start')
    .description('启动服务（界面与接口），默认使用 ./data 中的内嵌数据库')
    .option('-p, --port <port>', '端口（默认 3000，或环境变量 PORT）')
    .option('-d, --data-dir <dir>', '内嵌数据库目录（默认 ./data）')
    .option('--no-demo', '空数据库时不载入演示数据')
    .addHelpText(
      'after',
      '\n环境变量：DATABASE_URL=postgres://… 使用 PostgreSQL；SHEGONG_DATA_KEY 数据加密主密钥；LOG_LEVEL 日志级别。',
    )
    .action(async (opts: { port?: string; dataDir?: string; demo: boolean }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port ? { PORT: opts.port } : {}),
        ...(opts.dataDir ? { DATA_DIR: opts.dataDir } : {}),
        ...(opts.demo ? {} : { DEMO: 'false' }),
      });
      const running = await startServer(config);
      closeOnSignals(running);
    });
};
