import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { withTenant } from '../../../app/db/tenant-scope.js';
import { accountSummaries } from '../../../app/domain/dashboard/accounts.js';
import { openDashboardData, type DashboardIds } from './dashboard-fixtures.js';

// accountSummaries: every account with its balance rounded to its currency.

describe('dashboard domain queries on hand-built data', () => {
  let api: Knex;
  let la: string; // America/Los_Angeles, base USD
  let ids: DashboardIds;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ api, la, ids, close } = await openDashboardData());
  });

  afterAll(async () => {
    await close();
  });

  const read = <T>(tenant: string, work: (trx: Knex.Transaction) => Promise<T>) =>
    withTenant(api, tenant, work, { readOnly: true });

  it('lists accounts with balances rounded to their currency', async () => {
    // Accounts come in creation order; these five were created in one transaction (same created_at).
    const accounts = await read(la, (trx) => accountSummaries(trx));
    const byId = (a: { account_id: string }, b: { account_id: string }) =>
      a.account_id.localeCompare(b.account_id);
    expect([...accounts].sort(byId)).toEqual(
      [
        {
          account_id: ids.chk,
          name: 'Checking',
          account_type: 'checking',
          balance: '3098.75',
          currency: 'USD',
          is_active: true,
        },
        {
          account_id: ids.card,
          name: 'Card',
          account_type: 'credit_card',
          balance: '200.00',
          currency: 'USD',
          is_active: true,
        },
        {
          account_id: ids.yen,
          name: 'Yen cash',
          account_type: 'cash',
          balance: '8500',
          currency: 'JPY',
          is_active: true,
        },
        {
          account_id: ids.kwd,
          name: 'Dinar savings',
          account_type: 'savings',
          balance: '0.735',
          currency: 'KWD',
          is_active: true,
        },
        {
          account_id: ids.eur,
          name: 'Old euro',
          account_type: 'checking',
          balance: '-99.99',
          currency: 'EUR',
          is_active: false,
        },
      ].sort(byId),
    );
  });
});
