import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { hashToken } from '../../app/domain/auth/tokens.js';
import { issueApiToken } from '../../app/domain/tenants/api-tokens.js';
import { insertTenant } from '../../app/domain/tenants/tenant-service.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe('token lookup for the API role', () => {
  let db: TestDatabase;
  let owner: Knex;
  let api: Knex;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl });
    api = createKnex({ url: db.appUrl });
    token = await asPlatform(owner, async (trx) => {
      const tenant = await insertTenant(trx, { name: 'lookup', type: 'user', display_name: 'Lookup' });
      return (await issueApiToken(trx, tenant.id, 'ci', 'viewer')).token;
    });
  });
  afterAll(async () => {
    await api.destroy();
    await owner.destroy();
    await db.drop();
  });

  it('resolves a token to its tenant and role although the role cannot read api_tokens', async () => {
    const { rows } = await api.raw<{ rows: Array<{ tenant_name: string; role: string }> }>(
      'select * from findash_resolve_token(?)',
      [hashToken(token)],
    );
    expect(rows).toEqual([
      expect.objectContaining({ tenant_name: 'lookup', role: 'viewer', token_name: 'ci' }),
    ]);
    expect((await api('api_tokens').count<Array<{ count: number }>>('* as count'))[0]?.count).toBe(0);
  });

  it('leaves no platform access behind in the caller transaction', async () => {
    await api.transaction(async (trx) => {
      await trx.raw('select * from findash_resolve_token(?)', [hashToken(token)]);
      const setting = await trx.raw<{ rows: Array<{ v: string | null }> }>(
        `select current_setting('app.platform', true) as v`,
      );
      expect(setting.rows[0]?.v ?? '').toBe('');
      expect(await trx('tenants').select('id')).toEqual([]);
    });
  });
});
