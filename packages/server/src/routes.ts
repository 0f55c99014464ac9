import { buildOpenApi } from './http/openapi.ts';
import { defineRoute, type TAnyRouteDef } from './http/route.ts';
import { jobRoutes } from './jobs/jobs.routes.ts';
import { admissionRoutes } from './modules/admission/admission.routes.ts';
import { assessmentRoutes } from './modules/assessment/assessment.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { userRoutes } from './modules/auth/users.routes.ts';
import { budgetRoutes } from './modules/budget/budget.routes.ts';
import { contractRoutes } from './modules/contract/contract.routes.ts';
import { excelRoutes } from './modules/excel/excel.routes.ts';
import { exitRoutes } from './modules/exit/exit.routes.ts';
import { honoursRoutes } from './modules/honours/honours.routes.ts';
import { orgRoutes } from './modules/org/org.routes.ts';
import { payRoutes } from './modules/pay/pay.routes.ts';
import { policyRoutes } from './modules/policy/policy.routes.ts';
import { quotaRoutes } from './modules/quota/quota.routes.ts';
import { recruitmentRoutes } from './modules/recruitment/recruitment.routes.ts';
import { secondmentRoutes } from './modules/secondment/secondment.routes.ts';
import { statsRoutes } from './modules/stats/stats.routes.ts';
import { systemRoutes } from './modules/system/system.routes.ts';
import { todoRoutes } from './modules/todo/todo.routes.ts';
import { trainingRoutes } from './modules/training/training.routes.ts';
import { workerRoutes } from './modules/worker/worker.routes.ts';

/** Every API route of the server. A test checks each declares its access. */
export const featureRoutes: readonly TAnyRouteDef[] = [
  ...systemRoutes,
  ...authRoutes,
  ...orgRoutes,
  ...policyRoutes,
  ...workerRoutes,
  ...jobRoutes,
  ...userRoutes,
  ...auditRoutes,
  ...excelRoutes,
  ...statsRoutes,
  ...quotaRoutes,
  ...payRoutes,
  ...budgetRoutes,
  ...todoRoutes,
  ...exitRoutes,
  ...recruitmentRoutes,
  ...assessmentRoutes,
  ...trainingRoutes,
  ...secondmentRoutes,
  ...contractRoutes,
  ...honoursRoutes,
  ...admissionRoutes,
];

const openApiRoute = defineRoute({
  method: 'get',
  path: '/api/openapi.json',
  summary: 'OpenAPI 文档',
  tag: '系统',
  access: 'public',
  handler: async () => buildOpenApi(allRoutes),
});

export const allRoutes: readonly TAnyRouteDef[] = [...featureRoutes, openApiRoute];
