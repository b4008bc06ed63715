/**
 * Display formatting. Money comes from the API as an exact decimal string ("1234.50") and goes
 * straight into Intl.NumberFormat, which formats a numeric string exactly (ECMA-402's
 * StringNumericLiteral): it is never parsed into a float, and no arithmetic runs on it here.
 */
const formats = new Map<string, Intl.NumberFormat>();

function decimals(amount: string): number {
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
}

function formatter(currency: string, digits: number, signed: boolean): Intl.NumberFormat {
  const key = `${currency}:${digits}:${signed}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      // Exactly the API's digits: it has already rounded once to the currency's minor unit.
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      ...(signed ? { signDisplay: 'exceptZero' as const } : {}),
    });
    formats.set(key, format);
  }
  return format;
}

/** "1234.50" USD → "$1,234.50" (in the browser's locale). */
export function formatMoney(amount: string, currency: string, options: { signed?: boolean } = {}): string {
  try {
    return formatter(currency, decimals(amount), options.signed ?? false).format(
      amount as Intl.StringNumericLiteral,
    );
  } catch {
    return `${amount} ${currency}`;
  }
}

/** The magnitude of a decimal string, as a string ("-12.30" → "12.30"). */
export function magnitude(amount: string): string {
  return amount.startsWith('-') ? amount.slice(1) : amount;
}

export function isNegative(amount: string): boolean {
  return amount.startsWith('-') && /[1-9]/.test(amount);
}

const integers = new Intl.NumberFormat();
export function formatCount(count: number): string {
  return integers.format(count);
}

/** "45.23" → "45.23 %" in the locale (from the string, exactly). */
export function formatPercent(value: string): string {
  return `${new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals(value), maximumFractionDigits: decimals(value) }).format(value as Intl.StringNumericLiteral)} %`;
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();
/** An instant in the tenant's timezone. */
export function formatDateTime(iso: string, timeZone: string): string {
  let format = dateTimes.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    dateTimes.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

/** 'YYYY-MM' → "Nov 2026". */
export function formatMonth(month: string): string {
  const [year, m] = month.split('-');
  return new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(year), Number(m) - 1, 1)),
  );
}

export function formatDate(date: string): string {
  const [year, m, d] = date.split('-');
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(year), Number(m) - 1, Number(d))),
  );
}

export function humanize(text: string): string {
  return text.replace(/_/g, ' ');
}

/** Chart axis ticks: approximate by nature (the tables carry the exact amounts). */
export function formatAxis(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact' }).format(
      value,
    );
  } catch {
    return String(value);
  }
}
