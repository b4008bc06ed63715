import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

import { ApiError, request } from '../api.js';
import { localToInstant, today } from '../dates.js';
import { humanize } from '../format.js';
import { ACCOUNT_TYPES, type AccountSummary, type TenantInfo } from '../types.js';

type Values = Record<string, string>;
type Errors = Record<string, string>;

/**
 * Admin forms: add a transaction, an account, a budget. Inputs do not pre-validate beyond what a
 * browser must (the API's rules live in one place): a 400 names its field, and the message is
 * shown beside that input (aria-invalid + aria-describedby), or above the form when the field is
 * not one of its inputs.
 */
export function Manage({
  token,
  accounts,
  tenant,
  onSaved,
}: {
  token: string;
  accounts: AccountSummary[];
  tenant: TenantInfo;
  onSaved: () => void;
}) {
  const active = accounts.filter((a) => a.is_active);
  return (
    <div class="grid">
      <TransactionForm token={token} accounts={active} tenant={tenant} onSaved={onSaved} />
      <AccountForm token={token} tenant={tenant} onSaved={onSaved} />
      <BudgetForm token={token} tenant={tenant} onSaved={onSaved} />
    </div>
  );
}

function useForm(initial: Values) {
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);
  return { values, setValues, errors, setErrors, status, setStatus, busy, setBusy };
}

type Form = ReturnType<typeof useForm>;

async function submit(
  form: Form,
  fields: readonly string[],
  action: () => Promise<string>,
  reset: Values,
  onSaved: () => void,
): Promise<void> {
  form.setBusy(true);
  form.setStatus('');
  try {
    const message = await action();
    form.setErrors({});
    form.setValues(reset);
    form.setStatus(message);
    onSaved();
  } catch (error) {
    const e = error instanceof ApiError ? error : new ApiError(0, String(error));
    const field = e.field?.replace(/^body\./, '');
    form.setErrors(field && fields.includes(field) ? { [field]: e.message } : { _form: e.message });
    // Keyboard and screen-reader users land on the field to fix; its message is its description.
    requestAnimationFrame(() => {
      document.querySelector<HTMLElement>('form [aria-invalid="true"]')?.focus();
    });
  } finally {
    form.setBusy(false);
  }
}

function Field({
  id,
  name,
  label,
  form,
  children,
  help,
}: {
  id: string;
  name: string;
  label: string;
  form: Form;
  children: (props: Record<string, unknown>) => ComponentChildren;
  help?: string;
}) {
  const error = form.errors[name];
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children({
        id,
        name,
        'aria-invalid': error ? 'true' : undefined,
        'aria-describedby': describedBy || undefined,
      })}
      {help && (
        <p id={`${id}-help`} class="help">
          {help}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error" data-field-error={name}>
          {error}
        </p>
      )}
    </div>
  );
}

function FormFooter({ form, label }: { form: Form; label: string }) {
  return (
    <>
      {form.errors._form && (
        <p class="alert" role="alert">
          {form.errors._form}
        </p>
      )}
      <div class="form-foot">
        <button type="submit" disabled={form.busy}>
          {label}
        </button>
        <span class="status" role="status" aria-live="polite">
          {form.status}
        </span>
      </div>
    </>
  );
}

function nowLocal(timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date());
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

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

function TransactionForm({
  token,
  accounts,
  tenant,
  onSaved,
}: {
  token: string;
  accounts: AccountSummary[];
  tenant: TenantInfo;
  onSaved: () => void;
}) {
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
  return (
    <form
      class="card"
      aria-labelledby="add-tx-h"
      data-testid="transaction-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit(
          form,
          TX_FIELDS,
          async () => {
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
          },
          {
            ...initial,
            account_id: v.account_id ?? '',
            currency: v.currency ?? '',
            occurred_at: nowLocal(tenant.timezone),
          },
          onSaved,
        );
      }}
    >
      <h2 id="add-tx-h">Add a transaction</h2>
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
      <FormFooter form={form} label="Add transaction" />
    </form>
  );
}

const ACCOUNT_FIELDS = ['name', 'account_type', 'currency'];

function AccountForm({ token, tenant, onSaved }: { token: string; tenant: TenantInfo; onSaved: () => void }) {
  const initial: Values = { name: '', account_type: 'checking', currency: tenant.base_currency };
  const form = useForm(initial);
  const v = form.values;
  const set = (name: string) => (event: Event) =>
    form.setValues({ ...form.values, [name]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="card"
      aria-labelledby="add-acc-h"
      data-testid="account-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit(
          form,
          ACCOUNT_FIELDS,
          async () => {
            await request(token, '/financial/accounts', {
              method: 'POST',
              body: {
                name: v.name,
                account_type: v.account_type,
                currency: v.currency?.trim().toUpperCase(),
              },
            });
            return `Account "${v.name ?? ''}" created.`;
          },
          initial,
          onSaved,
        );
      }}
    >
      <h2 id="add-acc-h">Add an account</h2>
      <Field id="acc-name" name="name" label="Name" form={form}>
        {(p) => <input {...p} value={v.name} onInput={set('name')} />}
      </Field>
      <Field id="acc-type" name="account_type" label="Type" form={form}>
        {(p) => (
          <select {...p} value={v.account_type} onChange={set('account_type')}>
            {ACCOUNT_TYPES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="acc-currency" name="currency" label="Currency" form={form} help="ISO 4217 code, e.g. EUR">
        {(p) => <input {...p} maxLength={3} value={v.currency} onInput={set('currency')} />}
      </Field>
      <FormFooter form={form} label="Add account" />
    </form>
  );
}

const BUDGET_FIELDS = ['name', 'category', 'currency', 'total_amount', 'start_date', 'end_date'];

function BudgetForm({ token, tenant, onSaved }: { token: string; tenant: TenantInfo; onSaved: () => void }) {
  const now = today(tenant.timezone);
  const initial: Values = {
    name: '',
    category: '',
    currency: tenant.base_currency,
    total_amount: '',
    start_date: `${now.slice(0, 7)}-01`,
    end_date: '',
  };
  const form = useForm(initial);
  const v = form.values;
  const set = (name: string) => (event: Event) =>
    form.setValues({ ...form.values, [name]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="card"
      aria-labelledby="add-budget-h"
      data-testid="budget-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit(
          form,
          BUDGET_FIELDS,
          async () => {
            await request(token, '/financial/budgets', {
              method: 'POST',
              body: {
                name: v.name,
                ...(v.category?.trim() ? { category: v.category.trim() } : {}),
                currency: v.currency?.trim().toUpperCase(),
                total_amount: v.total_amount?.trim(),
                start_date: v.start_date,
                end_date: v.end_date,
              },
            });
            return `Budget "${v.name ?? ''}" created.`;
          },
          initial,
          onSaved,
        );
      }}
    >
      <h2 id="add-budget-h">Add a budget</h2>
      <Field id="budget-name" name="name" label="Name" form={form}>
        {(p) => <input {...p} value={v.name} onInput={set('name')} />}
      </Field>
      <Field
        id="budget-category"
        name="category"
        label="Category"
        form={form}
        help="Leave empty for all expenses"
      >
        {(p) => <input {...p} value={v.category} onInput={set('category')} />}
      </Field>
      <Field id="budget-currency" name="currency" label="Currency" form={form}>
        {(p) => <input {...p} maxLength={3} value={v.currency} onInput={set('currency')} />}
      </Field>
      <Field id="budget-amount" name="total_amount" label="Amount" form={form}>
        {(p) => <input {...p} inputMode="decimal" value={v.total_amount} onInput={set('total_amount')} />}
      </Field>
      <Field id="budget-start" name="start_date" label="Starts" form={form}>
        {(p) => <input {...p} type="date" value={v.start_date} onInput={set('start_date')} />}
      </Field>
      <Field id="budget-end" name="end_date" label="Ends" form={form}>
        {(p) => <input {...p} type="date" value={v.end_date} onInput={set('end_date')} />}
      </Field>
      <FormFooter form={form} label="Add budget" />
    </form>
  );
}
