import { request } from '../../api.js';
import { humanize } from '../../format.js';
import { ACCOUNT_TYPES } from '../../types.js';
import { Field, FormCard, submit, useForm, type CardText, type FormContext, type Values } from './form.js';

const ACCOUNT_FIELDS = ['name', 'account_type', 'currency'];

const CARD: CardText = {
  id: 'add-acc-h',
  testId: 'account-form',
  title: 'Add an account',
  submitLabel: 'Add account',
};

/** POST /financial/accounts. */
export function AccountForm({ token, tenant, onSaved }: FormContext) {
  const initial: Values = { name: '', account_type: 'checking', currency: tenant.base_currency };
  const form = useForm(initial);
  const v = form.values;
  const set = form.input;
  const save = async () => {
    await request(token, '/financial/accounts', {
      method: 'POST',
      body: {
        name: v.name,
        account_type: v.account_type,
        currency: v.currency?.trim().toUpperCase(),
      },
    });
    return `Account "${v.name ?? ''}" created.`;
  };
  return (
    <FormCard
      {...CARD}
      form={form}
      onSubmit={() => void submit(form, ACCOUNT_FIELDS, save, initial, onSaved)}
    >
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
    </FormCard>
  );
}
