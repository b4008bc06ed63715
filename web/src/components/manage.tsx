import type { AccountSummary } from '../types.js';
import { AccountForm } from './manage/account-form.js';
import { BudgetForm } from './manage/budget-form.js';
import type { FormContext } from './manage/form.js';
import { TransactionForm } from './manage/transaction-form.js';

/**
 * Admin forms: add a transaction, an account, a budget. Inputs do not pre-validate beyond what a
 * browser must (the API's rules live in one place): a 400 names its field, and the message is
 * shown beside that input (aria-invalid + aria-describedby), or above the form when the field is
 * not one of its inputs.
 */
export function Manage({ accounts, ...context }: FormContext & { accounts: AccountSummary[] }) {
  const active = accounts.filter((a) => a.is_active);
  return (
    <div class="grid">
      <TransactionForm {...context} accounts={active} />
      <AccountForm {...context} />
      <BudgetForm {...context} />
    </div>
  );
}
