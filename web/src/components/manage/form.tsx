import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

import { ApiError } from '../../api.js';
import type { TenantInfo } from '../../types.js';

/** What every admin form is given: the token it calls the API with, the tenant, and what to do after a save. */
export interface FormContext {
  readonly token: string;
  readonly tenant: TenantInfo;
  readonly onSaved: () => void;
}

export type Values = Record<string, string>;
type Errors = Record<string, string>;

/** A form's values, its errors by field (`_form` for one that is not an input), its outcome and whether it is busy. */
export function useForm(initial: Values) {
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);
  /** An input or select handler that stores its value under `name`. */
  const input = (name: string) => (event: Event) =>
    setValues({ ...values, [name]: (event.currentTarget as HTMLInputElement).value });
  return { values, setValues, input, errors, setErrors, status, setStatus, busy, setBusy };
}

export type Form = ReturnType<typeof useForm>;

/**
 * Runs `action` (the API call, answering the message to show); on success resets the form to `reset`, on a 400
 * shows the message beside the field it names (or above the form when `fields` has no such input).
 */
export async function submit(
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

/** The fixed text of a form card. */
export interface CardText {
  /** Id of the heading, which names the form. */
  readonly id: string;
  readonly testId: string;
  readonly title: string;
  readonly submitLabel: string;
}

/** A form card: its heading, its fields, and a footer with the submit button, the form's error and its outcome. */
export function FormCard({
  id,
  testId,
  title,
  submitLabel,
  form,
  onSubmit,
  children,
}: CardText & { form: Form; onSubmit: () => void; children: ComponentChildren }) {
  return (
    <form
      class="card"
      aria-labelledby={id}
      data-testid={testId}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
      {form.errors._form && (
        <p class="alert" role="alert">
          {form.errors._form}
        </p>
      )}
      <div class="form-foot">
        <button type="submit" disabled={form.busy}>
          {submitLabel}
        </button>
        <span class="status" role="status" aria-live="polite">
          {form.status}
        </span>
      </div>
    </form>
  );
}

/** A labelled input whose error (from the API) is shown beside it and is its accessible description. */
export function Field({
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
