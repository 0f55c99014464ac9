import { Navigate } from 'react-router';

/** 经费测算 lives in the 薪酬 page; `/budget` opens its tab. */
export const BudgetPage = () => <Navigate to="/pay?tab=budget" replace />;
