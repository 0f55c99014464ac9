import { Spin } from 'antd';
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth.tsx';
import { AppLayout } from './layout/app-layout.tsx';
import { ChangePasswordPage } from './pages/account/change-password-page.tsx';
import { passwordChangeRequired } from './pages/account/password-state.ts';
import { AdmissionPage } from './pages/admission/admission-page.tsx';
import { AssessmentListPage } from './pages/assessment/assessment-list-page.tsx';
import { CyclePage } from './pages/assessment/cycle-page.tsx';
import { BudgetPage } from './pages/budget/budget-page.tsx';
import { ContractsPage } from './pages/contracts/contracts-page.tsx';
import { ExitPage } from './pages/exit/exit-page.tsx';
import { HomePage } from './pages/home/home-page.tsx';
import { HonoursPage } from './pages/honours/honours-page.tsx';
import { ImportPage } from './pages/import/import-page.tsx';
import { LoginPage } from './pages/login/login-page.tsx';
import { OrgPage } from './pages/org/org-page.tsx';
import { ConversionPage } from './pages/pay/conversions-panel.tsx';
import { PayPage } from './pages/pay/pay-page.tsx';
import { PayRunPage } from './pages/pay/pay-run-page.tsx';
import { PolicyPage } from './pages/policy/policy-page.tsx';
import { QuotaPage } from './pages/quota/quota-page.tsx';
import { CampaignPage } from './pages/recruitment/campaign-page.tsx';
import { RecruitmentListPage } from './pages/recruitment/recruitment-list-page.tsx';
import { SecondmentPage } from './pages/secondment/secondment-page.tsx';
import { StatsPage } from './pages/stats/stats-page.tsx';
import { AuditPage } from './pages/system/audit-page.tsx';
import { UsersPage } from './pages/system/users-page.tsx';
import { TodoPage } from './pages/todo/todo-page.tsx';
import { TrainingPage } from './pages/training/training-page.tsx';
import { WorkerDetailPage } from './pages/workers/worker-detail-page.tsx';
import { WorkerListPage } from './pages/workers/worker-list-page.tsx';
import { WorkerNewPage } from './pages/workers/worker-new-page.tsx';

const RequireLogin = ({ children }: { children: ReactNode }) => {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Spin fullscreen tip="加载中…" />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  // An expired or temporary password: nothing else until it is changed.
  if (passwordChangeRequired(me) && location.pathname !== '/account/password') {
    return <Navigate to="/account/password" replace />;
  }
  return children;
};

export const AppRouter = () => (
  <BrowserRouter>
    <AuthProvider>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route
          element={
            <RequireLogin>
              <AppLayout />
            </RequireLogin>
          }
        >
          <Route index element={<HomePage />} />
          <Route path="account/password" element={<ChangePasswordPage />} />
          <Route path="orgs" element={<OrgPage />} />
          <Route path="policy" element={<PolicyPage />} />
          <Route path="system" element={<UsersPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="workers" element={<WorkerListPage />} />
          <Route path="workers/new" element={<WorkerNewPage />} />
          <Route path="workers/:id" element={<WorkerDetailPage />} />
          <Route path="import" element={<ImportPage />} />
          <Route path="stats" element={<StatsPage />} />
          <Route path="stats/:code" element={<StatsPage />} />
          <Route path="quota" element={<QuotaPage />} />
          <Route path="quota/:code" element={<QuotaPage />} />
          <Route path="pay" element={<PayPage />} />
          <Route path="pay/runs/:id" element={<PayRunPage />} />
          <Route path="pay/conversions/:id" element={<ConversionPage />} />
          <Route path="budget" element={<BudgetPage />} />
          <Route path="todo" element={<TodoPage />} />
          <Route path="recruitment" element={<RecruitmentListPage />} />
          <Route path="recruitment/:id" element={<CampaignPage />} />
          <Route path="contracts" element={<ContractsPage />} />
          <Route path="assessment" element={<AssessmentListPage />} />
          <Route path="assessment/:id" element={<CyclePage />} />
          <Route path="training" element={<TrainingPage />} />
          <Route path="secondment" element={<SecondmentPage />} />
          <Route path="exit" element={<ExitPage />} />
          <Route path="honours" element={<HonoursPage />} />
          <Route path="admission" element={<AdmissionPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </AuthProvider>
  </BrowserRouter>
);
