import { request } from '../../api.js';
import { localToInstant, nowLocal } from '../../dates.js';
import type { AccountSummary } from '../../types.js';
import { Field, FormCard, submit, useForm, type CardText, type FormContext, type Values } from './form.js';

const TX_FIELDS = [
  'account_id',
  'transaction_type',
  'amount',
  'currency',
  'category',
  'description',
  'occurred_at',
  'status',
];

const CARD: CardText = {
  id: 'add-tx-h',
  testId: 'transaction-form',
  title: 'Add a transaction',
  submitLabel: 'Add transaction',
};

/**
 * POST /financial/transactions with a fresh Idempotency-Key per submission. Choosing an account sets the
 * currency to the account's; after a save the account and currency stay for the next entry.
 */
export function TransactionForm({
  token,
  accounts,
  tenant,
  onSaved,
}: FormContext & { accounts: AccountSummary[] }) {
  const first = accounts[0];
  const initial: Values = {
    account_id: first?.account_id ?? '',
    transaction_type: 'expense',
    amount: '',
    currency: first?.currency ?? tenant.base_currency,
    category: '',
    description: '',
    occurred_at: nowLocal(tenant.timezone),
    status: 'posted',
  };
  const form = useForm(initial);
  const v = form.values;
  const set = (name: string) => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement).value;
    const next = { ...form.values, [name]: value };
    if (name === 'account_id')
      next.currency = accounts.find((a) => a.account_id === value)?.currency ?? next.currency ?? '';
    form.setValues(next);
  };
  const save = async () => {
    await request(token, '/financial/transactions', {
      method: 'POST',
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: {
        account_id: v.account_id,
        transaction_type: v.transaction_type,
        amount: v.amount?.trim(),
        currency: v.currency?.trim().toUpperCase(),
        ...(v.category?.trim() ? { category: v.category.trim() } : {}),
        ...(v.description ? { description: v.description } : {}),
        occurred_at: localToInstant(v.occurred_at ?? '', tenant.timezone),
        status: v.status,
      },
    });
    return `Saved: ${v.transaction_type ?? ''} of ${v.amount ?? ''} ${v.currency ?? ''}.`;
  };
  const reset = (): Values => ({
    ...initial,
    account_id: v.account_id ?? '',
    currency: v.currency ?? '',
    occurred_at: nowLocal(tenant.timezone),
  });
  return (
    <FormCard {...CARD} form={form} onSubmit={() => void submit(form, TX_FIELDS, save, reset(), onSaved)}>
      <Field id="tx-account" name="account_id" label="Account" form={form}>
        {(p) => (
          <select {...p} value={v.account_id} onChange={set('account_id')}>
            {accounts.map((a) => (
              <option key={a.account_id} value={a.account_id}>
                {a.name} ({a.currency})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="tx-type" name="transaction_type" label="Type" form={form}>
        {(p) => (
          <select {...p} value={v.transaction_type} onChange={set('transaction_type')}>
            <option value="expense">Expense</option>
            <option value="income">Income</option>
          </select>
        )}
      </Field>
      <Field id="tx-amount" name="amount" label="Amount" form={form} help="A positive decimal, e.g. 12.50">
        {(p) => (
          <input {...p} inputMode="decimal" autoComplete="off" value={v.amount} onInput={set('amount')} />
        )}
      </Field>
      <Field id="tx-currency" name="currency" label="Currency" form={form}>
        {(p) => <input {...p} maxLength={3} value={v.currency} onInput={set('currency')} />}
      </Field>
      <Field id="tx-category" name="category" label="Category" form={form}>
        {(p) => <input {...p} value={v.category} onInput={set('category')} />}
      </Field>
      <Field id="tx-description" name="description" label="Description" form={form}>
        {(p) => <input {...p} value={v.description} onInput={set('description')} />}
      </Field>
      <Field id="tx-when" name="occurred_at" label={`When (${tenant.timezone})`} form={form}>
        {(p) => <input {...p} type="datetime-local" value={v.occurred_at} onInput={set('occurred_at')} />}
      </Field>
      <Field id="tx-status" name="status" label="Status" form={form}>
        {(p) => (
          <select {...p} value={v.status} onChange={set('status')}>
            <option value="posted">Posted</option>
            <option value="pending">Pending</option>
          </select>
        )}
      </Field>
    </FormCard>
  );
}
