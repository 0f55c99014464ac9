import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TPolicyFile } from '../registry/pack-node.ts';

/** The repository root, for tests. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Reads every YAML file under the given folders (relative to the repo root), for tests. */
export const readPolicyFiles = (...dirs: string[]): TPolicyFile[] => {
  const out: TPolicyFile[] = [];
  const walk = (abs: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name))
        out.push({ path: relative(repoRoot, p), text: readFileSync(p, 'utf8') });
    }
  };
  for (const d of dirs) walk(join(repoRoot, d));
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
};
