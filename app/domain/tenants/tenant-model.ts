import { isCurrency } from '../money/currency.js';
import { ValidationError } from '../errors.js';

export type TenantType = 'user' | 'organization';
export type TenantStatus = 'active' | 'suspended' | 'deleting' | 'deleted';

export interface TenantLimits {
  readonly requestsPerMinute?: number;
  readonly maxAccounts?: number;
}

export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly type: TenantType;
  readonly display_name: string;
  readonly base_currency: string;
  readonly timezone: string;
  readonly status: TenantStatus;
  readonly limits: TenantLimits;
  readonly k8s_uid: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface NewTenant {
  readonly name: string;
  readonly type: TenantType;
  readonly display_name: string;
  readonly base_currency?: string;
  readonly timezone?: string;
  readonly status?: 'active' | 'suspended';
  readonly limits?: TenantLimits;
  readonly k8s_uid?: string | null;
}

export type TenantPatch = Partial<Omit<NewTenant, 'name' | 'type'>>;

export const TENANT_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$';

/**
 * IANA zone names, canonical or alias: Intl.supportedValuesOf lists only one spelling per zone
 * (Node 20 lists Asia/Calcutta, not Asia/Kolkata), so ask the formatter, which knows them all.
 */
export function isTimezone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Checks what a schema cannot: real currency codes and IANA zones. */
export function validateTenantFields(input: TenantPatch): void {
  if (input.base_currency !== undefined && !isCurrency(input.base_currency)) {
    throw new ValidationError('base_currency', `"${input.base_currency}" is not an ISO 4217 currency code`);
  }
  if (input.timezone !== undefined && !isTimezone(input.timezone)) {
    throw new ValidationError('timezone', `"${input.timezone}" is not an IANA time zone`);
  }
}
