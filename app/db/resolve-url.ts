import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm start` (embedded PostgreSQL) leaves the owner URL for the CLI and the operator. */
export function devDatabaseUrlFile(dataDir = process.env.FINDASH_DATA_DIR ?? '.findash'): string {
  return path.resolve(dataDir, 'database-url');
}

/**
 * The URL for tools that change the schema or act across tenants (migrate, seed, tokens,
 * operator): DATABASE_OWNER_URL, else DATABASE_URL, else the embedded dev database.
 */
export function resolveOwnerUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const explicit = env.DATABASE_OWNER_URL ?? env.DATABASE_URL;
  if (explicit) return explicit;
  const file = devDatabaseUrlFile(env.FINDASH_DATA_DIR);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(
    `no database configured: set DATABASE_OWNER_URL or DATABASE_URL, or run "npm start" once so ${file} exists`,
  );
}
