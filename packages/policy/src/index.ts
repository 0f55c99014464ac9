// @shegong/policy — the pure policy engine: packs of dated, cited rules; evaluations with traces;
// columnar batch kernels. Only load.ts reads files; nothing here reads a clock.

export type {
  TBatchApi,
  TCommunityColumns,
  TGradeColumns,
  TPayColumns,
  TQuotaColumns,
  TWorkerColumns,
} from './batch/batch.ts';
export { NO_DAY, NO_YEARS, NONE8 } from './batch/batch.ts';
export { coefficientText } from './batch/pay-month-batch.ts';
export { type TCase, type TCaseFile, ZCase, ZCaseFile } from './cases/case-schema.ts';
export { catalogueIds, policyCoverage, type TCoverageRow } from './cases/coverage.ts';
export {
  partialMatch,
  readPackCases,
  runPackCase,
  type TCaseResult,
  type TPackCase,
} from './cases/run-cases.ts';
export { EXPR_FUNCTIONS } from './expr/compile.ts';
export {
  type TApplicantInput,
  type TBudgetInput,
  type TCommunityInput,
  type TComplianceInput,
  type TQuotaInput,
  type TWorkerInput,
  type TWorkflowInput,
  ZApplicantInput,
  ZBudgetInput,
  ZCommunityInput,
  ZComplianceInput,
  ZQuotaInput,
  ZWorkerInput,
  ZWorkflowInput,
} from './inputs.ts';
export { loadPolicyRegistry, readTextFile } from './load.ts';
export type { TPolicyFile } from './registry/pack-node.ts';
export {
  createPolicyRegistry,
  type TCompiledPack,
  type TDraftEdits,
  type TPackDescription,
  type TPackSummary,
  type TParameterDescription,
  type TPolicyRegistry,
  type TRuleDescription,
} from './registry/registry.ts';
export type { TPost } from './registry/resolve.ts';
export { ALERT_KINDS, PAY_ITEM, type TRule, type TRuleShape } from './schema/pack-schema.ts';
export {
  serviceYears,
  serviceYearsDetail,
  type TServicePeriod,
  type TServiceYearsDetail,
} from './service-years.ts';
export * from './types.ts';
export { maxDate } from './util/dates.ts';
export { formatFen, formatRatio, parseRatio, type TRatio, yuanToFen } from './util/decimal.ts';
