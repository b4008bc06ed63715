import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { startEmbeddedPostgres } from '../../app/db/embedded.js';
import { freePort, waitForPort } from '../harness/ports.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * `npm start` stopped with Ctrl-C: the terminal sends SIGINT to the whole foreground process
 * group (npm, node and the embedded PostgreSQL alike). The dashboard views the API still holds
 * in its audit buffer must reach the database before it stops.
 */
describe('npm start stopped with Ctrl-C', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('writes every buffered dashboard-view audit event before the embedded database stops', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'findash-ctrl-c-'));
    // As root the database runs as the postgres user, which must reach its directory.
    await chmod(dataDir, 0o755);
    const [apiPort, pgPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'app', 'server.ts')], {
      cwd: repoRoot(),
      // Its own process group, as a terminal's foreground job has; the signal below goes to all of it.
      detached: true,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FINDASH_ENV: 'development',
        LOG_LEVEL: 'warn',
        PORT: String(apiPort),
        EMBEDDED_PG_PORT: String(pgPort),
        FINDASH_DATA_DIR: dataDir,
        // Views stay buffered until shutdown flushes them.
        AUDIT_VIEW_FLUSH_MS: '600000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = once(child, 'exit');
    const pid = child.pid ?? 0;
    try {
      await waitForPort(apiPort, 120_000);
      const token = (await readFile(path.join(dataDir, 'demo-token'), 'utf8')).trim();
      const requestIds = ['ctrl-c-view-1', 'ctrl-c-view-2', 'ctrl-c-view-3'];
      for (const id of requestIds) {
        const res = await fetch(`http://127.0.0.1:${apiPort}/financial/dashboard/accounts`, {
          headers: { authorization: `Bearer ${token}`, 'x-request-id': id },
        });
        expect(res.status).toBe(200);
      }

      process.kill(-pid, 'SIGINT');
      await exited;
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

      const credentials = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8')) as {
        superuser: string;
      };
      const server = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'pg'),
        port: pgPort,
        persistent: true,
        password: credentials.superuser,
      });
      const client = new pg.Client({
        connectionString: server.superuserUrl.replace(/\/postgres$/, '/findash'),
      });
      try {
        await client.connect();
        const { rows } = await client.query<{ id: string }>(
          `select jsonb_array_elements_text(details->'request_ids') as id
             from audit_events where resource_type = 'dashboard'`,
        );
        expect(rows.map((row) => row.id)).toEqual(expect.arrayContaining(requestIds));
      } finally {
        await client.end();
        await server.stop();
      }
    } catch (error) {
      throw new Error(`${String(error)}\n--- server output ---\n${output.join('')}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-pid, 'SIGKILL');
    }
  }, 240_000);
});
