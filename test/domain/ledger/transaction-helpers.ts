import type { ActorContext } from '../../../app/domain/context.js';
import { createAccount, getAccount } from '../../../app/domain/ledger/accounts.js';
import type { LedgerFixture } from './fixtures.js';

/**
 * What the ledger transaction tests do around their entries: open an account for a tenant and read its
 * balance, through the fixture the calling file starts in its beforeAll.
 */
export function accountHelpers(fixture: () => LedgerFixture) {
  async function account(ctx: ActorContext, currency = 'USD', name = 'Checking'): Promise<string> {
    const a = await fixture().as(ctx, (trx) =>
      createAccount(trx, ctx, { name, account_type: 'checking', currency }),
    );
    return a.id;
  }
  const balance = async (ctx: ActorContext, id: string): Promise<string> =>
    (await fixture().as(ctx, (trx) => getAccount(trx, id))).balance;
  return { account, balance };
}
