// Where a CPU profile of the load bench's server went: self time by package or source file and
// by function, over the last N seconds of the profile (the measured run, not start-up).
//
//   node --import tsx bench/load/profile-summary.ts .tmp/bench-load-prof/CPU.….cpuprofile [--last 38]
//     [--inclusive N]   also the N functions with the most total time (self + what they called
//                       synchronously: a repository function's share of building SQL, say)
import fs from 'node:fs';

type TNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
};
type TProfile = {
  nodes: TNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};

const args = process.argv.slice(2);
const profile = JSON.parse(fs.readFileSync(args[0]!, 'utf8')) as TProfile;
const lastAt = args.indexOf('--last');
const keepFrom = lastAt >= 0 ? profile.endTime - Number(args[lastAt + 1]) * 1e6 : -Infinity;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const inclusiveAt = args.indexOf('--inclusive');
const inclusiveTop = inclusiveAt >= 0 ? Number(args[inclusiveAt + 1]) : 0;
const byFunctionTotal = new Map<string, number>();

const groupOf = (url: string) => {
  if (!url) return '(native)';
  const pkg = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  return url.match(/packages\/[^/]+\/src\/(.*)/)?.[1] ?? url;
};

const fnName = (frame: TNode['callFrame']) =>
  `${frame.functionName || '(anonymous)'} ${groupOf(frame.url)}:${frame.lineNumber + 1}`;

const byGroup = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (at < keepFrom) continue;
  const frame = byId.get(profile.samples[i]!)!.callFrame;
  const group = groupOf(frame.url);
  const fn = `${frame.functionName || '(anonymous)'} ${group}:${frame.lineNumber + 1}`;
  byGroup.set(group, (byGroup.get(group) ?? 0) + dt);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  if (inclusiveTop > 0) {
    // Each function once per sample, however often it recurs on the stack.
    const seen = new Set<string>();
    for (
      let id: number | undefined = profile.samples[i]!;
      id !== undefined;
      id = parentOf.get(id)
    ) {
      const name = fnName(byId.get(id)!.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      byFunctionTotal.set(name, (byFunctionTotal.get(name) ?? 0) + dt);
    }
  }
  total += dt;
}
const top = (map: Map<string, number>, n: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `${((100 * t) / total).toFixed(1).padStart(6)}%  ${k}`)
    .join('\n');
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
console.log(`-- self time by package / source file\n${top(byGroup, 25)}`);
console.log(`-- self time by function\n${top(byFunction, 40)}`);
if (inclusiveTop > 0)
  console.log(
    `-- total time by function (self + synchronous callees)\n${top(byFunctionTotal, inclusiveTop)}`,
  );
