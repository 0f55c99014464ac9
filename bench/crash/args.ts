// Command-line options of the crash benches: node:util parseArgs (strict), with the usage and a
// Chinese message on a bad option instead of a stack trace.
import { type ParseArgsConfig, parseArgs } from 'node:util';

export const parseOptions = <T extends NonNullable<ParseArgsConfig['options']>>(
  options: T,
  usage: string,
) => {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return fail((error as Error).message, usage);
  }
};

export const fail = (message: string, usage: string): never => {
  process.stderr.write(`参数错误：${message}\n用法：${usage}\n`);
  process.exit(2);
};

/** An integer option of at least `min` (default 1), or exit with a message naming the option. */
export const positiveInt = (name: string, value: string, usage: string, min = 1) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    fail(`--${name} 应为${min === 1 ? '正整数' : `不小于 ${min} 的整数`}，收到 “${value}”`, usage);
  return n;
};
