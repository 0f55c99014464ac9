import type { TRuleEntry } from '../registry/pack-node.ts';
import type { TTraceStep } from '../types.ts';

/** A trace being built, or null when evaluating without explanation (batch fallback). */
export type TTraceSink = TTraceStep[] | null;

/** Appends a step citing a rule of the pack. */
export const step = (
  sink: TTraceSink,
  entry: TRuleEntry | { id: string; source: string },
  inputs: Record<string, unknown>,
  result: unknown,
  note: string,
): void => {
  if (!sink) return;
  const rule = 'rule' in entry ? entry.rule.id : entry.id;
  const source = 'rule' in entry ? entry.rule.source : entry.source;
  sink.push({ rule, source, inputs, result, note });
};
