import type { FullDashboard } from '../types.js';
import { Accounts } from './dashboard/accounts.js';
import { AtAGlance } from './dashboard/at-a-glance.js';
import { Balances } from './dashboard/balances.js';
import { Budgets } from './dashboard/budgets.js';
import { Categories } from './dashboard/categories.js';
import { IncomeExpenses } from './dashboard/income-expenses.js';
import { MonthlyTrend } from './dashboard/monthly-trend.js';
import { RecentTransactions } from './dashboard/recent-transactions.js';

/** The tenant's dashboard, every part of GET /financial/dashboard: one card per part, in components/dashboard/. */
export function Dashboard({ data, showDescriptions }: { data: FullDashboard; showDescriptions: boolean }) {
  const { transaction_summary: tx, tenant_info: tenant } = data;
  return (
    <div class="grid">
      <Balances data={data} />
      <AtAGlance summary={data.financial_summary} />
      <IncomeExpenses income={tx.income} expenses={tx.expenses} />
      <MonthlyTrend points={tx.monthly_trend} base={tenant.base_currency} />
      <Categories data={data} />
      <Accounts data={data} />
      <Budgets budgets={data.budget_statuses} />
      <RecentTransactions data={data} showDescriptions={showDescriptions} />
    </div>
  );
}
