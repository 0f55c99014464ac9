import { AppError } from '@shegong/shared';
import { ExprRuntimeError } from '../expr/compile.ts';
import { parseWorkerInput, ZQuotaInput, ZWorkerInput } from '../inputs.ts';
import type { TResolvedPack } from '../registry/resolve.ts';
import type {
  TAlertValue,
  TBudgetValue,
  TComplianceValue,
  TEligibilityValue,
  TEvaluation,
  TGradeValue,
  TPayValue,
  TQuotaValue,
  TResult,
  TTraceStep,
  TWorkflowValue,
} from '../types.ts';
import { compileAlerts, evaluateAlerts, type TAlertProgram } from './alerts.ts';
import { compileBudget, evaluateBudget, type TBudgetProgram } from './budget.ts';
import { compileCompliance, evaluateCompliance, type TComplianceProgram } from './compliance.ts';
import { makeCompileCtx, parseInput, type TCompileCtx } from './context.ts';
import {
  compileEligibility,
  evaluateEligibility,
  type TEligibilityProgram,
} from './eligibility.ts';
import { compileGrade, evaluateGrade, gradeValueOf, type TGradeProgram } from './grade.ts';
import { compilePay, evaluatePay, type TPayProgram } from './pay.ts';
import { compileQuota, evaluateQuota, type TQuotaProgram } from './quota.ts';
import { compileWorkflow, evaluateWorkflow, type TWorkflowProgram } from './workflow.ts';

/** The compiled programs of one pack on one date; the batch kernels are built from these too. */
export type TPackPrograms = {
  ctx: TCompileCtx;
  grade: TGradeProgram;
  pay: TPayProgram;
  quota: TQuotaProgram;
  eligibility: TEligibilityProgram;
  alerts: TAlertProgram;
  compliance: TComplianceProgram;
  budget: TBudgetProgram;
  workflow: TWorkflowProgram;
};

/** Compiles every stage; any error in the pack surfaces here, with file, line and key. */
export const compilePrograms = (pack: TResolvedPack): TPackPrograms => {
  const ctx = makeCompileCtx(pack);
  const grade = compileGrade(ctx);
  return {
    ctx,
    grade,
    pay: compilePay(ctx, grade),
    quota: compileQuota(ctx),
    eligibility: compileEligibility(ctx),
    alerts: compileAlerts(ctx, grade),
    compliance: compileCompliance(ctx),
    budget: compileBudget(ctx),
    workflow: compileWorkflow(ctx, grade),
  };
};

/** Runs an evaluation with a trace, turning expression failures into a located AppError. */
export const traced = <T>(run: (t: TTraceStep[]) => T): TResult<T> => {
  const trace: TTraceStep[] = [];
  try {
    return { value: run(trace), trace };
  } catch (e) {
    if (e instanceof ExprRuntimeError) {
      const last = trace[trace.length - 1];
      throw new AppError('VALIDATION_FAILED', `表达式计算失败：${e.message}`, {
        where: { key: last?.rule ?? '' },
      });
    }
    throw e;
  }
};

const workerInput = (input: unknown) => parseWorkerInput(input, (v) => parseInput(ZWorkerInput, v));

/** Scalar evaluations with traces (the reference evaluator). */
export const scalarEvaluations = (p: TPackPrograms, date: string) => ({
  grade: (input: unknown): TResult<TGradeValue> =>
    traced((t) => gradeValueOf(evaluateGrade(p.grade, workerInput(input), date, t))),
  pay: (input: unknown): TResult<TPayValue> =>
    traced((t) => evaluatePay(p.pay, workerInput(input), date, t)),
  quota: (input: unknown): TResult<TQuotaValue> =>
    traced((t) => evaluateQuota(p.quota, parseInput(ZQuotaInput, input), t)),
  eligibility: (input: unknown): TResult<TEligibilityValue> =>
    traced((t) => evaluateEligibility(p.eligibility, input, date, t)),
  alerts: (input: unknown): TResult<TAlertValue[]> =>
    traced((t) => evaluateAlerts(p.alerts, workerInput(input), date, t)),
  compliance: (input: unknown): TResult<TComplianceValue> =>
    traced((t) => evaluateCompliance(p.compliance, input, date, t)),
  budget: (input: unknown): TResult<TBudgetValue> =>
    traced((t) => evaluateBudget(p.budget, input, t)),
  workflow: (input: unknown): TResult<TWorkflowValue> =>
    traced((t) => evaluateWorkflow(p.workflow, input, t)),
});

export type TScalarEvaluations = ReturnType<typeof scalarEvaluations>;
export type { TEvaluation };
