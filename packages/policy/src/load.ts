// The only module of @shegong/policy that touches the file system.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppError } from '@shegong/shared';
import type { TPolicyFile } from './registry/pack-node.ts';
import { createPolicyRegistry, type TPolicyRegistry } from './registry/registry.ts';

const walk = async (abs: string): Promise<string[]> => {
  const entries = await readdir(abs, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(abs, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
};

/**
 * Reads every pack folder under `dir` (`<dir>/<pack>/pack.yaml`, its included files and its
 * `tests/*.yaml`) and builds the registry. Paths in error messages are relative to the working
 * directory, e.g. `policies/yinchuan-2018/pack.yaml`.
 * @example const registry = await loadPolicyRegistry('policies'); registry.at('yinchuan-2018', '2024-06-30')
 * @throws AppError POLICY_INVALID naming file, line and key of the first problem
 */
export const loadPolicyRegistry = async (dir: string): Promise<TPolicyRegistry> => {
  let paths: string[];
  try {
    paths = await walk(dir);
  } catch (e) {
    throw new AppError('NOT_FOUND', `无法读取政策包目录 ${dir}`, { cause: e });
  }
  const files: TPolicyFile[] = await Promise.all(
    paths.sort().map(async (p) => ({
      path: relative(process.cwd(), p).split(sep).join('/'),
      text: await readFile(p, 'utf8'),
    })),
  );
  return createPolicyRegistry(files);
};

/** Reads a text file (the rule catalogue for `policy coverage`). */
export const readTextFile = async (path: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('NOT_FOUND', `无法读取文件 ${path}`, { where: { file: path }, cause: e });
  }
};
