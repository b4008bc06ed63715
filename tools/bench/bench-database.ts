import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Knex } from 'knex';

import {
  ensureDatabase,
  loadOrCreateSecrets,
  randomPassword,
  startEmbeddedPostgres,
} from '../../app/db/embedded.js';
import { createKnex } from '../../app/db/knex.js';
import { migrateLatest } from '../../app/db/migrate.js';
import { asPlatform, setTenant } from '../../app/db/tenant-scope.js';
import { issueApiToken, revokeApiTokens } from '../../app/domain/tenants/api-tokens.js';
import { seedDatabase } from '../../app/domain/seed/seed.js';
import { freePort } from '../../test/harness/ports.js';
import { repoRoot } from '../../test/harness/repo-root.js';

/**
 * The benchmark's database: DATABASE_URL / DATABASE_OWNER_URL when set, else an embedded
 * PostgreSQL 17 kept under .findash/bench-pg so the 1,000,000-row tenant is seeded once and
 * reused by later runs (the marker is the tenant itself with exactly that many rows).
 */
export interface BenchDatabase {
  readonly appUrl: string;
  readonly ownerUrl: string;
  readonly owner: Knex;
  /** The embedded server's postmaster pid, for CPU accounting (absent with DATABASE_URL). */
  readonly postmasterPid?: number;
  stop(): Promise<void>;
}

export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const appUrl = process.env.DATABASE_URL;
  if (appUrl) {
    const ownerUrl = process.env.DATABASE_OWNER_URL ?? appUrl;
    const owner = createKnex({ url: ownerUrl, statementTimeoutMs: 0, applicationName: 'findash-bench' });
    await migrateLatest(owner);
    log(`using DATABASE_URL (${new URL(appUrl).host})`);
    return { appUrl, ownerUrl, owner, stop: () => owner.destroy() };
  }
  const dir = path.join(repoRoot(), '.findash');
  const secrets = await loadOrCreateSecrets(path.join(dir, 'bench-pg-credentials.json'), () => ({
    superuser: randomPassword(),
    owner: randomPassword(),
    app: randomPassword(),
  }));
  const port = await freePort();
  log(`starting embedded PostgreSQL 17 on 127.0.0.1:${port} (data in .findash/bench-pg, kept between runs)`);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'bench-pg'),
    port,
    persistent: true,
    password: secrets.superuser,
  });
  try {
    const creds = await ensureDatabase(server.superuserUrl, 'findash_bench', {
      owner: secrets.owner,
      app: secrets.app,
    });
    const owner = createKnex({
      url: creds.ownerUrl,
      statementTimeoutMs: 0,
      applicationName: 'findash-bench',
    });
    await migrateLatest(owner);
    const pidFile = await readFile(path.join(dir, 'bench-pg', 'postmaster.pid'), 'utf8');
    return {
      ...creds,
      owner,
      postmasterPid: Number(pidFile.split('\n')[0]),
      stop: async () => {
        await owner.destroy();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export interface BenchTenant {
  readonly id: string;
  readonly name: string;
  readonly transactions: number;
  readonly seededNow: boolean;
  readonly seedSeconds?: number;
}

async function transactionCount(owner: Knex, tenantId: string): Promise<number> {
  return owner.transaction(async (trx) => {
    await setTenant(trx, tenantId);
    const [row] = await trx('transactions').count<Array<{ count: number }>>('* as count');
    return row?.count ?? 0;
  });
}

/** Reuses `bench-1` when it holds exactly `transactions` rows (unless BENCH_RESEED is set); otherwise (re)seeds it. */
export async function ensureBenchTenant(
  db: BenchDatabase,
  transactions: number,
  log: (line: string) => void,
): Promise<BenchTenant> {
  const name = 'bench-1';
  const existing = await asPlatform(db.owner, (trx) =>
    trx('tenants').where({ name }).first<{ id: string } | undefined>('id'),
  );
  if (existing) {
    const count = await transactionCount(db.owner, existing.id);
    if (count === transactions && !process.env.BENCH_RESEED) {
      log(`reusing tenant ${name} with ${count.toLocaleString('en')} transactions`);
      return { id: existing.id, name, transactions: count, seededNow: false };
    }
    log(`tenant ${name} has ${count} transactions, not ${transactions}: reseeding`);
    await asPlatform(db.owner, (trx) => trx('tenants').where({ id: existing.id }).delete());
  }
  log(`seeding ${name} with ${transactions.toLocaleString('en')} transactions …`);
  const started = Date.now();
  let lastShown = 0;
  const { tenants } = await seedDatabase(db.owner, {
    tenants: 1,
    transactionsPerTenant: transactions,
    seed: 1,
    tenantPrefix: 'bench',
    onProgress: (done, total) => {
      if (done === total || Date.now() - lastShown > 5000) {
        lastShown = Date.now();
        const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
        log(
          `  ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${rate.toLocaleString('en')} rows/s)`,
        );
      }
    },
  });
  const tenant = tenants[0];
  if (!tenant) throw new Error('seed produced no tenant');
  await db.owner.raw('vacuum (analyze) transactions, transaction_rollups_daily, transaction_rollups_monthly');
  const seedSeconds = (Date.now() - started) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s`);
  return { id: tenant.id, name, transactions, seededNow: true, seedSeconds };
}

/** A fresh viewer token for the run (the previous run's is revoked). */
export async function benchToken(db: BenchDatabase, tenantId: string): Promise<string> {
  return asPlatform(db.owner, async (trx) => {
    await revokeApiTokens(trx, tenantId, 'bench');
    return (await issueApiToken(trx, tenantId, 'bench', 'viewer')).token;
  });
}
