import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { run } from '../charts/helm.js';
import { freePort } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * The production image runs compiled JavaScript only: `npm run build` (tsconfig.build.json) output in /app/dist
 * next to package.json and node_modules, started with plain `node` (Dockerfile, runtime contract). This lays out
 * the same tree in a temp directory and runs the image's commands in it against the real PostgreSQL.
 */

const root = repoRoot();
let image: string;
let db: TestDatabase | undefined;

const node = (args: string[], env: NodeJS.ProcessEnv) =>
  run(process.execPath, args, { env: { PATH: process.env.PATH, HOME: image, ...env } });

beforeAll(async () => {
  image = await mkdtemp(path.join(os.tmpdir(), 'findash-image-'));
  await copyFile(path.join(root, 'package.json'), path.join(image, 'package.json'));
  await symlink(path.join(root, 'node_modules'), path.join(image, 'node_modules'), 'dir');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = await run(process.execPath, [
    tsc,
    '-p',
    path.join(root, 'tsconfig.build.json'),
    '--outDir',
    path.join(image, 'dist'),
  ]);
  if (build.code !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  db = await createTestDatabase({ migrated: false });
}, 120_000);

afterAll(async () => {
  await db?.drop();
  if (image) await rm(image, { recursive: true, force: true });
});

describe('production build (what the image runs)', () => {
  it('emits the three entry points of the runtime contract and no TypeScript', async () => {
    const files = await readdir(path.join(image, 'dist'), { recursive: true });
    expect(files).toEqual(expect.arrayContaining(['app/server.js', 'app/cli.js', 'operator/main.js']));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.some((f) => f.startsWith('test'))).toBe(false);
  });

  it('migrates a database with `node dist/app/cli.js migrate`, as the migration Job does', async () => {
    const env = { DATABASE_OWNER_URL: db!.ownerUrl, DATABASE_URL: db!.appUrl, FINDASH_ENV: 'testing' };
    const migrations = (await readdir(path.join(root, 'migrations'))).filter((f) => /^\d+_.+\.ts$/.test(f));
    const first = await node([path.join(image, 'dist/app/cli.js'), 'migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((l) => l.startsWith('applied '))).toHaveLength(migrations.length);
    const status = await node([path.join(image, 'dist/app/cli.js'), 'migrate', '--status'], env);
    expect(status.stdout).not.toContain('pending');
    expect(status.stdout.split('\n').filter((l) => l.startsWith('applied '))).toHaveLength(migrations.length);
  });

  it('serves /health/live and /health/ready as the image CMD runs it (telemetry first) and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server: ChildProcess = spawn(
      process.execPath,
      ['--import', './dist/app/telemetry.js', path.join(image, 'dist/app/server.js')],
      {
        cwd: image,
        env: {
          PATH: process.env.PATH,
          HOME: image,
          PORT: String(port),
          HOST: '127.0.0.1',
          FINDASH_ENV: 'testing',
          LOG_LEVEL: 'warn',
          DATABASE_URL: db!.appUrl,
          DATABASE_OWNER_URL: db!.ownerUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    server.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = Date.now() + 30_000;
      let live: Response | undefined;
      while (!live && Date.now() < deadline) {
        live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
        if (!live) await new Promise((r) => setTimeout(r, 200));
      }
      if (!live) throw new Error(`server did not listen:\n${output}`);
      expect(live.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toMatch(/^(healthy|degraded)$/);
    } finally {
      server.kill('SIGTERM');
    }
    // Handled: it closes and exits by itself (0, or 143 = 128 + SIGTERM by convention), not killed by the signal.
    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect([0, 143]).toContain(code);
  }, 60_000);
});
