import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  EVALUATIONS,
  loadPolicyRegistry,
  policyCoverage,
  readPackCases,
  readTextFile,
  runPackCase,
  type TCaseResult,
  type TEvaluation,
  type TPolicyRegistry,
} from '@shegong/policy';
import { AppError } from '@shegong/shared';
import type { Command } from 'commander';

// `shegong policy …`: run the packs' YAML cases, show which rules of the catalogue are covered,
// and evaluate a pack for one input. None of these needs the database.

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const DEFAULT_POLICIES = process.env.SHEGONG_POLICIES_DIR ?? `${REPO}policies`;
const DEFAULT_RULES = `${REPO}../shared/domain/rules.md`;

const loadRegistry = (dir: string): Promise<TPolicyRegistry> => loadPolicyRegistry(dir);

const runCases = (registry: TPolicyRegistry, pack?: string): TCaseResult[] => {
  if (pack && !registry.has(pack)) {
    throw new AppError(
      'NOT_FOUND',
      `没有政策包「${pack}」（可用：${registry
        .list()
        .map((p) => p.id)
        .join('、')}）`,
    );
  }
  return readPackCases(registry.testFiles(pack)).map((c) => runPackCase(registry, c));
};

const readInput = async (file: string): Promise<unknown> => {
  let text: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new AppError('NOT_FOUND', `无法读取输入文件 ${file}`, { where: { file }, cause: e });
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new AppError('BAD_REQUEST', `输入不是有效的 JSON：${(e as Error).message}`, {
      where: { file: file === '-' ? '标准输入' : file, ...(line ? { line } : {}) },
    });
  }
};

/** Registers `shegong policy test|coverage|eval|list`. */
export const registerPolicyCommand = (program: Command): void => {
  const policy = program
    .command('policy')
    .description('政策包：运行测试用例、查看规则覆盖、对输入求值');

  policy
    .command('test [pack]')
    .description('运行政策包 tests/*.yaml 中的用例（逐条与批量两种计算须一致）')
    .option('--dir <dir>', '政策包目录', DEFAULT_POLICIES)
    .option('--verbose', '列出每个用例')
    .action(async (pack: string | undefined, opts: { dir: string; verbose?: boolean }) => {
      const registry = await loadRegistry(opts.dir);
      const results = runCases(registry, pack);
      const byPack = new Map<string, TCaseResult[]>();
      for (const r of results) byPack.set(r.case.pack, [...(byPack.get(r.case.pack) ?? []), r]);
      for (const [id, rs] of [...byPack].sort()) {
        const failed = rs.filter((r) => !r.passed);
        const agree = rs.filter((r) => r.batch === 'agree').length;
        process.stdout.write(
          `${failed.length ? '✗' : '✓'} ${id}：${rs.length} 例，${rs.length - failed.length} 通过，${failed.length} 失败（其中 ${agree} 例批量计算一致）\n`,
        );
        for (const r of rs) {
          if (r.passed && !opts.verbose) continue;
          process.stdout.write(
            `    ${r.passed ? '✓' : '✗'} ${r.case.case.name}  [${r.case.file}:${r.case.line}，${r.case.case.source}]\n`,
          );
          for (const f of r.failures) process.stdout.write(`        ${f}\n`);
        }
      }
      const failed = results.filter((r) => !r.passed).length;
      process.stdout.write(
        `共 ${results.length} 例：${results.length - failed} 通过，${failed} 失败\n`,
      );
      if (failed) process.exitCode = 1;
    });

  policy
    .command('coverage')
    .description('列出规则目录（rules.md）中的每条规则由哪个政策包规则实现、哪些用例覆盖')
    .option('--dir <dir>', '政策包目录', DEFAULT_POLICIES)
    .option('--rules <file>', '规则目录文件', DEFAULT_RULES)
    .option('--json', '以 JSON 输出')
    .action(async (opts: { dir: string; rules: string; json?: boolean }) => {
      const [registry, catalogue] = await Promise.all([
        loadRegistry(opts.dir),
        readTextFile(opts.rules),
      ]);
      const rows = policyCoverage(catalogue, registry, runCases(registry));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      let section = '';
      for (const r of rows) {
        if (r.section !== section) {
          section = r.section;
          process.stdout.write(`\n${section}\n`);
        }
        const impl = r.rules.length
          ? r.rules.join('、')
          : r.notes.length
            ? `（说明）${r.notes.join('、')}`
            : '—';
        process.stdout.write(
          `  ${r.id.padEnd(12)} ${r.status.padEnd(6, '　')} 用例 ${String(r.cases).padStart(3)}  ${impl}\n`,
        );
      }
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      process.stdout.write(
        `\n共 ${rows.length} 条：已计算并测试 ${count('已计算并测试')}，已计算未测试 ${count('已计算未测试')}，仅记录 ${count('仅记录')}，未覆盖 ${count('未覆盖')}\n`,
      );
    });

  policy
    .command('eval <pack> <evaluation>')
    .description(`对一个输入求值并输出 JSON（evaluation：${EVALUATIONS.join('|')}）`)
    .option('--date <date>', '求值日期 YYYY-MM-DD')
    .option('--month <month>', '按整月计算薪酬 YYYY-MM（仅 pay）：月内政策或档案变化处分段')
    .option(
      '--records <file>',
      '与 --month 同用：月内档案变化 JSON 数组 [{ "on": 日期, "input": {…} }]',
    )
    .requiredOption('--input <file>', '输入 JSON 文件，- 表示标准输入')
    .option('--dir <dir>', '政策包目录', DEFAULT_POLICIES)
    .option('--no-trace', '不输出计算过程')
    .action(
      async (
        packId: string,
        evaluation: string,
        opts: {
          date?: string;
          month?: string;
          records?: string;
          input: string;
          dir: string;
          trace: boolean;
        },
      ) => {
        if (!(EVALUATIONS as readonly string[]).includes(evaluation)) {
          throw new AppError(
            'BAD_REQUEST',
            `未知的求值「${evaluation}」，可选：${EVALUATIONS.join('、')}`,
          );
        }
        if (opts.month ? opts.date || evaluation !== 'pay' : !opts.date)
          throw new AppError(
            'BAD_REQUEST',
            opts.month
              ? '--month 只用于 pay，且不与 --date 同用（月内的求值日期由政策包和入职日决定）'
              : '请给出 --date YYYY-MM-DD（或 pay 的 --month YYYY-MM）',
          );
        if (opts.records && !opts.month)
          throw new AppError('BAD_REQUEST', '--records 须与 --month 同用');
        const [registry, input, records] = await Promise.all([
          loadRegistry(opts.dir),
          readInput(opts.input),
          opts.records ? readInput(opts.records) : undefined,
        ]);
        if (records !== undefined && !Array.isArray(records))
          throw new AppError(
            'BAD_REQUEST',
            '--records 应为 JSON 数组 [{ "on": 日期, "input": {…} }]',
            {
              where: { file: opts.records },
            },
          );
        const month = opts.month;
        const result = month
          ? registry.payMonth(packId, month, input, records as { on: string; input: unknown }[])
          : registry.at(packId, opts.date as string)[evaluation as TEvaluation](input);
        const value = Array.isArray(result.value)
          ? { alerts: result.value }
          : (result.value as object);
        const evalOn = 'evalOn' in result ? { evalOn: result.evalOn } : {};
        const out = opts.trace
          ? { ...evalOn, ...value, trace: result.trace }
          : { ...evalOn, ...value };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      },
    );

  policy
    .command('list')
    .description('列出政策包及其版本时段')
    .option('--dir <dir>', '政策包目录', DEFAULT_POLICIES)
    .action(async (opts: { dir: string }) => {
      const registry = await loadRegistry(opts.dir);
      for (const p of registry.list()) {
        process.stdout.write(
          `${p.id}  ${p.name}（${p.jurisdiction.name}，${p.status}）${p.extends ? ` 继承 ${p.extends}` : ''}\n`,
        );
        for (const v of p.versions) process.stdout.write(`    ${v.from} 至 ${v.to ?? '今'}\n`);
      }
    });
};
