/** Audit actions the domain services write (test/metrics/app-metrics.test.ts keeps this list complete). */
export const AUDIT_ACTIONS = [
  'account.create',
  'account.delete',
  'api_token.issued',
  'api_token.revoked',
  'api_token.role_changed',
  'budget.create',
  'budget.delete',
  'budget.update',
  'tenant.created',
  'tenant.deleted',
  'tenant.members_changed',
  'tenant.updated',
  'transaction.batch_create',
  'transaction.create',
  'transfer.create',
] as const;
