import { startLedgerApp, type LedgerApp, type LedgerClient, type TestTenant } from './client.js';

// What the /financial/transactions route tests share: a ledger app with one tenant, its admin's client and
// three checking accounts (usd, usd2, jpy); and opening an account or reading its balance as that admin.

export interface TransactionsSetup {
  t: LedgerApp;
  tenant: TestTenant;
  admin: LedgerClient;
  usd: string;
  usd2: string;
  jpy: string;
}

export const openAccount = async (admin: LedgerClient, currency: string, name: string): Promise<string> =>
  (await admin.post('/financial/accounts', { name, account_type: 'checking', currency })).json<{
    id: string;
  }>().id;

export const balanceOf = async (admin: LedgerClient, id: string): Promise<string> =>
  (await admin.get(`/financial/accounts/${id}`)).json<{ balance: string }>().balance;

export async function startTransactionsApp(): Promise<TransactionsSetup> {
  const t = await startLedgerApp();
  const tenant = await t.createTenant();
  const admin = t.client(tenant.tokens.admin);
  const usd = await openAccount(admin, 'USD', 'usd');
  const usd2 = await openAccount(admin, 'USD', 'usd2');
  const jpy = await openAccount(admin, 'JPY', 'jpy');
  return { t, tenant, admin, usd, usd2, jpy };
}
