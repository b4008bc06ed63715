/** Tables holding a tenant's own data: only that tenant's rows are visible, ever. */
export const TENANT_ONLY = [
  'accounts',
  'transactions',
  'budgets',
  'idempotency_keys',
  'transaction_rollups_daily',
  'transaction_rollups_monthly',
] as const;

/** Tables a platform process (tenant admin, operator, outbox publisher) also reads across tenants. */
export const TENANT_OR_PLATFORM = ['rbac_bindings', 'api_tokens', 'audit_events', 'audit_outbox'] as const;
