import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { AppConfig } from '../config.js';
import {
  ensureDatabase,
  loadOrCreateSecrets,
  randomPassword,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '../db/embedded.js';
import { createKnex } from '../db/knex.js';
import { migrateLatest } from '../db/migrate.js';
import { devDatabaseUrlFile } from '../db/resolve-url.js';
import { asPlatform } from '../db/tenant-scope.js';
import { hashToken } from '../domain/auth/tokens.js';
import { seedDatabase } from '../domain/seed/seed.js';
import { issueApiToken } from '../domain/tenants/api-tokens.js';

/**
 * The zero-configuration database for `npm start`: embedded PostgreSQL 17 with its data under
 * FINDASH_DATA_DIR (kept between runs), migrated, seeded with a demo tenant when empty, and a
 * demo token written to FINDASH_DATA_DIR/demo-token (mode 0600).
 */
export interface DevDatabase {
  readonly appUrl: string;
  readonly ownerUrl: string;
  readonly demoToken: string | null;
  readonly demoTokenFile: string;
  stop(): Promise<void>;
}

interface Secrets {
  superuser: string;
  owner: string;
  app: string;
}

type Log = (message: string) => void;

export async function startDevDatabase(config: AppConfig, log: Log): Promise<DevDatabase> {
  const dataDir = path.resolve(config.FINDASH_DATA_DIR);
  const secrets = await loadOrCreateSecrets<Secrets>(path.join(dataDir, 'credentials.json'), () => ({
    superuser: randomPassword(),
    owner: randomPassword(),
    app: randomPassword(),
  }));
  log(
    `starting embedded PostgreSQL 17 on 127.0.0.1:${config.EMBEDDED_PG_PORT} (data in ${path.join(dataDir, 'pg')})`,
  );
  const server: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'pg'),
    port: config.EMBEDDED_PG_PORT,
    persistent: true,
    ownProcessGroup: true,
    password: secrets.superuser,
  });
  try {
    const creds = await ensureDatabase(server.superuserUrl, 'findash', {
      owner: secrets.owner,
      app: secrets.app,
    });
    const owner = createKnex({ url: creds.ownerUrl, applicationName: 'findash-bootstrap' });
    try {
      const applied = await migrateLatest(owner);
      if (applied.length > 0) log(`applied ${applied.length} migrations`);
      const demoTokenFile = path.join(dataDir, 'demo-token');
      const demoToken = config.SEED_DEMO ? await ensureDemo(owner, demoTokenFile, log) : null;
      const urlFile = devDatabaseUrlFile(dataDir);
      await writeFile(urlFile, `${creds.ownerUrl}\n`, { mode: 0o600 });
      await chmod(urlFile, 0o600);
      return { ...creds, demoToken, demoTokenFile, stop: () => server.stop() };
    } finally {
      await owner.destroy();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The demo token: a saved one while it still works for an active tenant, else one issued for the
 * oldest active tenant (seeding a demo tenant when there is none), so the README's curl never gets 401. */
export async function ensureDemo(
  owner: ReturnType<typeof createKnex>,
  tokenFile: string,
  log: Log,
): Promise<string> {
  if (existsSync(tokenFile)) {
    const saved = (await readFile(tokenFile, 'utf8')).trim();
    const valid = await owner.raw<{ rows: Array<{ tenant_name: string; tenant_status: string }> }>(
      'select * from findash_resolve_token(?)',
      [hashToken(saved)],
    );
    const tenant = valid.rows[0];
    if (tenant?.tenant_status === 'active') {
      log(`using the saved demo token for tenant ${tenant.tenant_name}`);
      return saved;
    }
  }
  const tenants = await asPlatform(owner, (trx) =>
    trx('tenants').where({ status: 'active' }).orderBy('created_at').select('id', 'name'),
  );
  let demo = (tenants as Array<{ id: string; name: string }>)[0];
  if (!demo) {
    // demo-1 may still exist as a deleted tenant: seed under a fresh prefix then.
    const taken: unknown = await asPlatform(owner, (trx) =>
      trx('tenants').where({ name: 'demo-1' }).first('id'),
    );
    const tenantPrefix = taken ? `demo-${Date.now().toString(36)}` : 'demo';
    log(`no active tenant: seeding demo tenant ${tenantPrefix}-1 (5,000 transactions)`);
    const seeded = await seedDatabase(owner, {
      tenants: 1,
      transactionsPerTenant: 5000,
      seed: 42,
      tenantPrefix,
    });
    demo = seeded.tenants[0];
  }
  if (!demo) throw new Error('seeding produced no tenant');
  const tenantId = demo.id;
  const { token } = await asPlatform(owner, (trx) => issueApiToken(trx, tenantId, 'demo', 'admin'));
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  await chmod(tokenFile, 0o600);
  log(`issued a demo admin token for tenant ${demo.name}`);
  return token;
}
