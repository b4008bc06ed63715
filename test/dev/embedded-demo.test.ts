import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { hashToken } from '../../app/domain/auth/tokens.js';
import { issueApiToken } from '../../app/domain/tenants/api-tokens.js';
import { insertTenant } from '../../app/domain/tenants/tenant-service.js';
import { ensureDemo } from '../../app/dev/embedded-database.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';

describe('npm start demo token', () => {
  let db: TestDatabase;
  let owner: Knex;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = createKnex({ url: db.ownerUrl });
    dir = await mkdtemp(path.join(os.tmpdir(), 'findash-demo-'));
  });
  afterAll(async () => {
    await owner.destroy();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const tenantOf = async (
    token: string,
  ): Promise<{ tenant_name: string; tenant_status: string } | undefined> =>
    (
      await owner.raw<{ rows: Array<{ tenant_name: string; tenant_status: string }> }>(
        'select * from findash_resolve_token(?)',
        [hashToken(token)],
      )
    ).rows[0];

  it('issues the token for an active tenant, not the oldest deleted one, and names it', async () => {
    const gone = await asPlatform(owner, (trx) =>
      insertTenant(trx, { name: 'old-gone', type: 'organization', display_name: 'gone' }),
    );
    const stale = await asPlatform(owner, (trx) => issueApiToken(trx, gone.id, 'demo', 'admin'));
    await asPlatform(owner, (trx) => trx('tenants').where({ id: gone.id }).update({ status: 'deleted' }));
    await asPlatform(owner, (trx) =>
      insertTenant(trx, { name: 'still-here', type: 'organization', display_name: 'here' }),
    );
    const file = path.join(dir, 'demo-token');
    await writeFile(file, `${stale.token}\n`);

    const lines: string[] = [];
    const token = await ensureDemo(owner, file, (m) => lines.push(m));

    expect(await tenantOf(token)).toMatchObject({ tenant_name: 'still-here', tenant_status: 'active' });
    expect((await readFile(file, 'utf8')).trim()).toBe(token);
    expect(lines.join('\n')).toContain('still-here');
  });
});
