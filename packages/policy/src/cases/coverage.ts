import type { TPolicyRegistry } from '../registry/registry.ts';
import type { TCaseResult } from './run-cases.ts';

/** A rule of the catalogue (rules.md) with what implements and tests it. */
export type TCoverageRow = {
  id: string;
  section: string;
  /** Pack rules that compute it (`pack:rule`). */
  rules: string[];
  /** Pack rules that only record it (shape `note`: no figure to compute). */
  notes: string[];
  /** Test cases that cover it: named in `covers`, or evaluating a rule that covers it. */
  cases: number;
  status: '已计算并测试' | '已计算未测试' | '仅记录' | '未覆盖';
};

/**
 * Reads the rule ids from the catalogue: the first cell of each table row (`| Q-JL | ...`),
 * several ids separated by " / ".
 * @example catalogueIds('## 2. Quotas\n| Q-N | 18 per 10,000 | N 二.3 |') // [{ id: 'Q-N', section: '2. Quotas' }]
 */
export const catalogueIds = (markdown: string): { id: string; section: string }[] => {
  const out: { id: string; section: string }[] = [];
  let section = '';
  for (const line of markdown.split('\n')) {
    const h = /^##\s+(.*)$/.exec(line);
    if (h) section = (h[1] as string).trim();
    const m = /^\|\s*([A-Z][A-Z0-9-]*(?:\s*\/\s*[A-Z][A-Z0-9-]*)*)\s*\|/.exec(line);
    if (!m) continue;
    for (const id of (m[1] as string).split('/').map((s) => s.trim())) out.push({ id, section });
  }
  return out;
};

/**
 * Which pack rule and which test covers each rule id of the catalogue.
 * @example policyCoverage(rulesMd, registry, results).find((r) => r.id === 'Q-JL')?.status // '已计算并测试'
 */
export const policyCoverage = (
  markdown: string,
  registry: TPolicyRegistry,
  results: readonly TCaseResult[],
): TCoverageRow[] => {
  const computed = new Map<string, string[]>();
  const noted = new Map<string, string[]>();
  const ruleCovers = new Map<string, string[]>();
  for (const pack of registry.list()) {
    for (const { packId, rule } of registry.allRules(pack.id)) {
      if (packId !== pack.id) continue;
      const key = `${packId}:${rule.id}`;
      ruleCovers.set(key, rule.covers ?? []);
      for (const id of rule.covers ?? []) {
        const into = rule.shape === 'note' ? noted : computed;
        into.set(id, [...new Set([...(into.get(id) ?? []), key])]);
      }
    }
  }
  const caseCount = new Map<string, number>();
  for (const r of results) {
    if (!r.passed) continue;
    const ids = new Set(r.case.case.covers ?? []);
    for (const rule of r.rules) {
      for (const pack of [r.case.pack, ...registry.list().map((p) => p.id)]) {
        for (const id of ruleCovers.get(`${pack}:${rule}`) ?? []) ids.add(id);
      }
    }
    for (const id of ids) caseCount.set(id, (caseCount.get(id) ?? 0) + 1);
  }
  return catalogueIds(markdown).map(({ id, section }) => {
    const rules = computed.get(id) ?? [];
    const notes = noted.get(id) ?? [];
    const cases = caseCount.get(id) ?? 0;
    const status = rules.length
      ? cases
        ? '已计算并测试'
        : '已计算未测试'
      : notes.length
        ? '仅记录'
        : '未覆盖';
    return { id, section, rules, notes, cases, status };
  });
};
