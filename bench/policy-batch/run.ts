// Policy batch engine: grade + base pay of 5,000,000 synthetic workers through the compiled batch
// kernel of the 银川 pack, against a hand-written loop fused for that one pack over the same typed
// arrays, in the same run. Prints both times, their ratio (goal: engine within 2× of the
// hand-written loop) and the peak RSS.
//
//   node --import tsx bench/policy-batch/run.ts [workers] [rounds]
//   npm run --prefix bench/policy-batch bench

import { fileURLToPath } from 'node:url';
import { CERTIFICATE_LEVELS, EDUCATION_LEVELS } from '@shegong/shared';
import {
  loadPolicyRegistry,
  type TGradeColumns,
  type TWorkerColumns,
} from '../../packages/policy/src/index.ts';

const N = Number(process.argv[2] ?? 5_000_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const DATE = '2020-06-15';

const registry = await loadPolicyRegistry(
  fileURLToPath(new URL('../../policies', import.meta.url)),
);
const pack = registry.at('yinchuan-2018', DATE);
const postIndex = (p: string) => pack.batch.postIndex(p);
const ZHENG = postIndex('正职');
const FU = postIndex('副职');
const LIANGWEI = postIndex('两委成员');
const QITA = postIndex('其他人员');

// ---- synthetic workers as columns (deterministic) ------------------------------------------------
let seed = 20240328;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const cols: TWorkerColumns = {
  length: N,
  post: new Uint8Array(N),
  years: new Uint16Array(N),
  education: new Uint8Array(N),
  educationRecognised: new Uint8Array(N),
  certificate: new Uint8Array(N),
  certificateHeld: new Uint8Array(N),
  probation: new Uint8Array(N),
};
const posts = [ZHENG, FU, LIANGWEI, QITA, QITA, QITA, LIANGWEI, FU];
for (let i = 0; i < N; i++) {
  const c = posts[(rand() * posts.length) | 0] as number;
  cols.post[i] = c;
  cols.years[i] = (rand() * 40) | 0;
  cols.education[i] = (rand() * EDUCATION_LEVELS.length) | 0;
  (cols.educationRecognised as Uint8Array)[i] = rand() < 0.97 ? 1 : 0;
  cols.certificate[i] = (rand() * CERTIFICATE_LEVELS.length) | 0;
  (cols.certificateHeld as Uint8Array)[i] = rand() < 0.98 ? 1 : 0;
  (cols.probation as Uint8Array)[i] = c === QITA && rand() < 0.02 ? 1 : 0;
}

// ---- the hand-written loop: 银川 四岗十八级 only, fused, written as one would by hand -----------
const LOWEST = new Int16Array(8);
LOWEST[ZHENG] = 7;
LOWEST[FU] = 4;
LOWEST[LIANGWEI] = 2;
LOWEST[QITA] = 1;
const BENKE = EDUCATION_LEVELS.indexOf('本科');
const SHUOSHI = EDUCATION_LEVELS.indexOf('硕士');
const BOSHI = EDUCATION_LEVELS.indexOf('博士');
const fused = (c: TWorkerColumns, out: TGradeColumns): void => {
  const { post, years, education, certificate } = c;
  const rec = c.educationRecognised as Uint8Array;
  const held = c.certificateHeld as Uint8Array;
  const prob = c.probation as Uint8Array;
  const og = out.grade;
  const oc = out.coefficientScaled;
  const op = out.basePayFen;
  for (let i = 0; i < N; i++) {
    const p = post[i] as number;
    if (prob[i] === 1 && p === QITA) {
      og[i] = -1;
      oc[i] = 100;
      op[i] = 200000;
      continue;
    }
    const low = LOWEST[p] as number;
    const y = years[i] as number;
    // Bands of 3 years: "3年及以下" is the lowest grade, then one grade per 3 years, 11 at most.
    const steps = y <= 3 ? 0 : Math.min(11, ((y - 1) / 3) | 0);
    const e = education[i] as number;
    let bump = rec[i] === 0 ? 0 : e === BENKE ? 1 : e === SHUOSHI ? 5 : e === BOSHI ? 10 : 0;
    if (held[i] === 1) bump += certificate[i] as number; // 助理 1, 社工师 2, 高级 3
    let g = low + steps + bump;
    if (g > low + 11) g = low + 11;
    og[i] = g;
    const coef = 110 + 5 * g; // 1.15 at grade 1, +0.05 a grade
    oc[i] = coef;
    op[i] = 2000 * coef; // 2000元 × coefficient, in fen
  }
};

const fresh = (): TGradeColumns => ({
  grade: new Int16Array(N),
  coefficientScaled: new Int32Array(N),
  coefficientDecimals: 2,
  basePayFen: new Int32Array(N),
  probation: new Uint8Array(N),
  error: new Uint8Array(N),
});

// Same answer first: the engine and the hand-written loop must agree on every worker.
const byEngine = pack.batch.grade(cols);
const byHand = fresh();
fused(cols, byHand);
for (let i = 0; i < N; i++) {
  if (
    byEngine.grade[i] !== byHand.grade[i] ||
    byEngine.basePayFen[i] !== byHand.basePayFen[i] ||
    byEngine.coefficientScaled[i] !== byHand.coefficientScaled[i]
  ) {
    throw new Error(
      `第${i}行不一致：引擎 ${byEngine.grade[i]}/${byEngine.basePayFen[i]}，手写 ${byHand.grade[i]}/${byHand.basePayFen[i]}`,
    );
  }
}

// Alternate the two, several rounds each; report the median.
const engineMs: number[] = [];
const handMs: number[] = [];
// Both write into preallocated columns, so allocation is not part of either time.
const out = fresh();
const engineOut = fresh();
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now();
  pack.batch.grade(cols, engineOut);
  engineMs.push(performance.now() - t);
  t = performance.now();
  fused(cols, out);
  handMs.push(performance.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

// For scale: the trace evaluator (one worker at a time, with its explanation) on 100,000 of them.
const SAMPLE = Math.min(N, 100_000);
const objects = Array.from({ length: SAMPLE }, (_, i) => ({
  post: pack.posts[cols.post[i] as number]?.category as string,
  years: cols.years[i] as number,
  education: EDUCATION_LEVELS[cols.education[i] as number],
  educationRecognised: (cols.educationRecognised as Uint8Array)[i] === 1,
  certificate: CERTIFICATE_LEVELS[cols.certificate[i] as number],
  probation: (cols.probation as Uint8Array)[i] === 1,
}));
for (const o of objects.slice(0, 20_000)) pack.grade(o);
let tt = performance.now();
for (const o of objects) pack.grade(o);
const traceUs = ((performance.now() - tt) * 1000) / SAMPLE;
tt = performance.now();
const encoded = pack.batch.workerColumns(objects);
const encodeUs = ((performance.now() - tt) * 1000) / SAMPLE;
void encoded;
const e = median(engineMs);
const h = median(handMs);
const rssMb = process.resourceUsage().maxRSS / 1024;
const fmt = (ms: number) => `${ms.toFixed(1)} ms (${((ms * 1e6) / N).toFixed(1)} ns/worker)`;
process.stdout.write(
  [
    `Policy batch engine — yinchuan-2018 on ${DATE}: grade + coefficient + base pay of ${N.toLocaleString('en')} workers, median of ${ROUNDS} rounds`,
    `  compiled batch kernel (engine):  ${fmt(e)}   min ${Math.min(...engineMs).toFixed(1)} ms`,
    `  hand-written fused loop:         ${fmt(h)}   min ${Math.min(...handMs).toFixed(1)} ms`,
    `  ratio engine / hand-written:     ${(e / h).toFixed(2)}×   (goal ≤ 2×)`,
    `  peak RSS:                        ${rssMb.toFixed(0)} MB`,
    `  for scale: trace evaluator ${traceUs.toFixed(1)} µs/worker; encoding objects to columns ${encodeUs.toFixed(1)} µs/worker (${SAMPLE.toLocaleString('en')} workers)`,
    `  node ${process.version}, ${process.arch}`,
    '',
  ].join('\n'),
);
