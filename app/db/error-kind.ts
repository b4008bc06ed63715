import { DomainError } from '../domain/errors.js';
import { CONNECTION_ERROR_CODES } from './connection-errors.js';

/** What kind of PostgreSQL failure an error is (findash_db_errors_total{kind}), or null if none. */
export type ErrorKind = 'connection' | 'query' | 'timeout';

/** PostgreSQL shutting down or out of connections, and the network failures of connection-errors.ts. */
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', '53300', ...CONNECTION_ERROR_CODES]);
const SQLSTATE = /^[0-9A-Z]{5}$/;

export function dbErrorKind(error: unknown): ErrorKind | null {
  const e = error as { name?: string; code?: string; message?: string } | null;
  if (!e || error instanceof DomainError) return null;
  if (e.name === 'KnexTimeoutError' || e.code === '57014') return 'timeout';
  if (/timeout/i.test(e.message ?? '') && /connect/i.test(e.message ?? '')) return 'timeout';
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return 'connection';
  if (
    /Connection terminated|connection is closed|Client has encountered a connection error/i.test(
      e.message ?? '',
    )
  ) {
    return 'connection';
  }
  if (e.code && SQLSTATE.test(e.code)) return 'query';
  return null;
}
