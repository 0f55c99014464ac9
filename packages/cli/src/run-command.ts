import { AppError } from '@shegong/shared';

/** Runs a CLI action and turns errors into a Chinese message and a non-zero exit code. */
export const runCommand = async (action: () => Promise<unknown>): Promise<void> => {
  try {
    await action();
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`错误：${error.message}${formatWhere(error)}\n`);
    } else {
      process.stderr.write(`错误：${error instanceof Error ? error.message : String(error)}\n`);
      if (process.env.SHEGONG_DEBUG) console.error(error);
    }
    process.exitCode = 1;
  }
};

const WHERE_LABELS: Record<string, string> = {
  file: '文件',
  sheet: '工作表',
  row: '行',
  column: '列',
  field: '字段',
  line: '行号',
  key: '键',
};

const formatWhere = (error: AppError): string => {
  const where = error.where;
  if (!where) return '';
  const parts = Object.entries(where).map(
    ([key, value]) => `${WHERE_LABELS[key] ?? key}：${String(value)}`,
  );
  return parts.length > 0 ? `（${parts.join('，')}）` : '';
};
