import { request } from '../../api.js';
import { today } from '../../dates.js';
import { Field, FormCard, submit, useForm, type CardText, type FormContext, type Values } from './form.js';

const BUDGET_FIELDS = ['name', 'category', 'currency', 'total_amount', 'start_date', 'end_date'];

const CARD: CardText = {
  id: 'add-budget-h',
  testId: 'budget-form',
  title: 'Add a budget',
  submitLabel: 'Add budget',
};

/** POST /financial/budgets; the start defaults to the first of this month in the tenant's timezone. */
export function BudgetForm({ token, tenant, onSaved }: FormContext) {
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
  const set = form.input;
  const save = async () => {
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
  };
  return (
    <FormCard {...CARD} form={form} onSubmit={() => void submit(form, BUDGET_FIELDS, save, initial, onSaved)}>
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
    </FormCard>
  );
}
