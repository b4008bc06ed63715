import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';

import { ViewRecorder } from '../../app/audit/view-recorder.js';
import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import type { ActorContext } from '../../app/domain/context.js';
import { startTestApp, type TestApp, type TestTenant } from '../harness/app.js';

interface ViewRow {
  actor: string;
  details: { count: number; request_ids: string[] };
}

describe('ViewRecorder batches', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let appDb: Knex;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_DEFAULT_RPM: '0' });
    tenant = await t.createTenant();
    appDb = createKnex({ url: t.db.appUrl });
  });
  afterAll(async () => {
    await appDb.destroy();
    await t.close();
  });

  const viewer = (actor: string): ActorContext => ({
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantType: tenant.type,
    actor,
    role: 'viewer',
    requestId: 'unused',
  });

  const viewRows = async (): Promise<ViewRow[]> =>
    asPlatform(t.owner, (trx) =>
      trx('audit_events')
        .where({ tenant_id: tenant.id, action: 'dashboard.view' })
        .orderBy('actor')
        .select('actor', 'details'),
    );

  it('lets one busy viewer buffer many views; a batch is as many viewers, written as one row each', async () => {
    const recorder = new ViewRecorder(appDb, { flushIntervalMs: 600_000, batchSize: 2 });
    for (let i = 0; i < 300; i += 1)
      recorder.record(
        viewer('token:busy'),
        `${tenant.id}:token:busy`,
        'dashboard',
        '/financial/dashboard',
        `b${i}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await viewRows()).toEqual([]);
    expect(recorder.pending).toBe(300);

    // A second viewer makes two groups: that is a batch.
    recorder.record(
      viewer('token:other'),
      `${tenant.id}:token:other`,
      'dashboard',
      '/financial/dashboard',
      'o1',
    );
    await recorder.flush();
    const rows = await viewRows();
    expect(rows.map((r) => [r.actor, r.details.count])).toEqual([
      ['token:busy', 300],
      ['token:other', 1],
    ]);
    expect(rows[0]?.details.request_ids.slice(0, 2)).toEqual(['b0', 'b1']);
    expect(recorder.pending).toBe(0);
    await recorder.stop();
  });
});
