import type { Knex } from 'knex';

import { createKnex } from '../../app/db/knex.js';
import { setTenant, withTenant } from '../../app/db/tenant-scope.js';
import { accountSummaries } from '../../app/domain/dashboard/accounts.js';
import { budgetStatuses } from '../../app/domain/dashboard/budgets.js';
import { fullDashboard } from '../../app/domain/dashboard/dashboard.js';
import { financialSummary } from '../../app/domain/dashboard/summary.js';
import { tenantInfo } from '../../app/domain/dashboard/tenant-info.js';
import { transactionSummary } from '../../app/domain/dashboard/transactions.js';
import { naiveNumbers } from '../../test/domain/dashboard/naive.js';
import type { BenchDatabase } from './bench-database.js';
import { percentile } from './stats.js';

export interface Timing {
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
}

async function timed(times: number, work: () => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), min: Math.min(...samples) };
}

/** The dashboard's domain queries timed without HTTP, and the naive aggregation over raw rows beside them. */
export async function measureQueries(db: BenchDatabase, tenantId: string): Promise<Record<string, Timing>> {
  const api = createKnex({ url: db.appUrl, applicationName: 'findash-bench-queries' });
  const owner = createKnex({
    url: db.ownerUrl,
    statementTimeoutMs: 0,
    applicationName: 'findash-bench-naive',
  });
  try {
    const read = <T>(work: (trx: Knex.Transaction) => Promise<T>) =>
      withTenant(api, tenantId, work, { readOnly: true });
    const results: Record<string, Timing> = {};
    results['domain: full dashboard (one transaction)'] = await timed(50, () =>
      read((trx) => fullDashboard(trx, {}, { includeDescriptions: false })),
    );
    results['domain: financialSummary'] = await timed(50, () => read((trx) => financialSummary(trx, {})));
    results['domain: accountSummaries'] = await timed(50, () => read((trx) => accountSummaries(trx)));
    results['domain: transactionSummary'] = await timed(50, () =>
      read((trx) => transactionSummary(trx, {}, { includeDescriptions: false })),
    );
    results['domain: budgetStatuses'] = await timed(50, () => read((trx) => budgetStatuses(trx, {})));
    results['domain: tenantInfo'] = await timed(50, () => read((trx) => tenantInfo(trx)));
    results['naive: one aggregation over raw rows'] = await timed(5, () =>
      owner.transaction(async (trx) => {
        await setTenant(trx, tenantId);
        await trx.raw(
          `
          select x.currency, x.transaction_type, x.status,
                 date_trunc('month', x.occurred_at at time zone t.timezone) as month, sum(x.amount), count(*)
            from transactions x join tenants t on t.id = x.tenant_id
           where x.tenant_id = ? and x.status <> 'void'
           group by 1, 2, 3, 4`,
          [tenantId],
        );
      }),
    );
    results['naive: every dashboard number from raw rows'] = await timed(1, () =>
      owner.transaction(async (trx) => {
        await setTenant(trx, tenantId);
        await naiveNumbers(trx, tenantId, {});
      }),
    );
    return results;
  } finally {
    await api.destroy();
    await owner.destroy();
  }
}
