import { randomBytes } from 'node:crypto';
import path from 'node:path';

import pg from 'pg';

import { createKnex } from '../../app/db/knex.js';
import { migrateLatest } from '../../app/db/migrate.js';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../app/db/embedded.js';
import { freePort } from './ports.js';
import { repoRoot } from './repo-root.js';

/**
 * One embedded PostgreSQL 17 for the whole test run (started in jest's globalSetup), a
 * migrated template database, and a fresh database per test file cloned from that template
 * in milliseconds. Tests talk to the real server, as the real roles.
 */
const TEMPLATE = 'findash_template';

interface ClusterInfo {
  superuserUrl: string;
  ownerPassword: string;
  appPassword: string;
}

export async function startTestCluster(): Promise<{ server: EmbeddedServer; info: ClusterInfo }> {
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const server = await startEmbeddedPostgres({
    dataDir: path.join(repoRoot(), '.findash', `test-pg-${process.pid}`),
    port,
    persistent: false,
    password,
  });
  const info: ClusterInfo = {
    superuserUrl: server.superuserUrl,
    ownerPassword: randomBytes(12).toString('hex'),
    appPassword: randomBytes(12).toString('hex'),
  };
  const creds = await ensureDatabase(info.superuserUrl, TEMPLATE, {
    owner: info.ownerPassword,
    app: info.appPassword,
  });
  const knex = createKnex({ url: creds.ownerUrl });
  try {
    await migrateLatest(knex);
  } finally {
    await knex.destroy();
  }
  process.env.FINDASH_TEST_PG = JSON.stringify(info);
  return { server, info };
}

function clusterInfo(): ClusterInfo {
  const raw = process.env.FINDASH_TEST_PG;
  if (!raw)
    throw new Error('FINDASH_TEST_PG is not set: run tests through jest (globalSetup starts PostgreSQL)');
  return JSON.parse(raw) as ClusterInfo;
}

export interface TestDatabase {
  readonly name: string;
  readonly ownerUrl: string;
  readonly appUrl: string;
  readonly superuserUrl: string;
  drop(): Promise<void>;
}

/** A new, migrated, empty database for one test file. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const info = clusterInfo();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const migrated = options.migrated ?? true;
  const creds = await ensureDatabase(
    info.superuserUrl,
    name,
    { owner: info.ownerPassword, app: info.appPassword },
    // globalSetup made the roles; test files create databases concurrently.
    { rolesReady: true, ...(migrated ? { template: TEMPLATE } : {}) },
  );
  const superuserUrl = info.superuserUrl.replace(/\/postgres$/, `/${name}`);
  return {
    name,
    ...creds,
    superuserUrl,
    drop: async () => {
      const client = new pg.Client({ connectionString: info.superuserUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
