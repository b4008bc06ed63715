import { currencyExponent } from './currency.js';

/**
 * Exact decimal handling for money, on strings and BigInt: amounts come from PostgreSQL as
 * NUMERIC strings and leave the API as strings rounded once to the currency's exponent.
 * No floats anywhere, so no 0.1 + 0.2.
 */
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string to a scaled BigInt with `scale` fractional digits, rounding half away from zero. */
export function toScaled(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new RangeError(`not a decimal number: "${value}"`);
  const [, sign, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, scale).padEnd(scale, '0');
  let scaled = BigInt(whole + kept);
  const next = fraction.charAt(scale);
  if (next !== '' && next >= '5') scaled += 1n;
  return sign === '-' ? -scaled : scaled;
}

export function fromScaled(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  const text = scale > 0 ? `${whole}.${fraction}` : whole;
  return negative && scaled !== 0n ? `-${text}` : text;
}

/** Rounds a decimal string to the currency's minor unit: formatMoney("12.345", "USD") === "12.35". */
export function formatMoney(value: string | null | undefined, currency: string): string {
  const scale = currencyExponent(currency);
  return fromScaled(toScaled(value ?? '0', scale), scale);
}

/** Exact sum of decimal strings, at the largest scale present. */
export function addDecimals(values: readonly string[]): string {
  const scale = Math.max(0, ...values.map((v) => v.split('.')[1]?.length ?? 0));
  return fromScaled(
    values.reduce((sum, v) => sum + toScaled(v, scale), 0n),
    scale,
  );
}

const AMOUNT = /^(\d{1,15})(?:\.(\d+))?$/;

/**
 * Is this a valid amount string for the currency: positive, at most its minor-unit digits, bounded.
 * Trailing zeros past the minor unit change nothing ("1.050" GBP is 1.05), so only nonzero digits
 * there are refused: those would need rounding.
 */
export function amountProblem(value: string, currency: string): string | undefined {
  const match = AMOUNT.exec(value);
  if (!match) return 'must be a positive decimal string like "12.34" with at most 15 integer digits';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  if (/[^0]/.test(fraction.slice(exponent)))
    return `has more than ${exponent} decimal places for ${currency}`;
  if (/^0*$/.test((match[1] ?? '') + fraction)) return 'must be greater than zero';
  return undefined;
}

/** An amount amountProblem accepts, without the zeros past the minor unit: "1.050" GBP is "1.05". */
export function normalizeAmount(value: string, currency: string): string {
  const match = AMOUNT.exec(value);
  if (!match) return value;
  const fraction = (match[2] ?? '').slice(0, currencyExponent(currency));
  return match[2] === undefined ? value : `${match[1] ?? ''}${fraction ? `.${fraction}` : ''}`;
}
