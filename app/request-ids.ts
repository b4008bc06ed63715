import { randomBytes } from 'node:crypto';

/**
 * Request ids for requests that arrive without X-Request-Id: a random prefix per app instance
 * (48 bits, so replicas and restarts do not collide) and a counter, e.g. `9f2c4e1a7b3d-1k2f`.
 * Cheaper than a UUID per request (crypto.randomUUID assembles 36 characters from 20 pieces,
 * which Node's header check then has to flatten), and still unique where logs meet.
 */
export function requestIds(): () => string {
  const prefix = randomBytes(6).toString('hex');
  let next = 0;
  return () => `${prefix}-${(next++).toString(36)}`;
}

/** Longest client X-Request-Id kept: room for a UUID, a W3C trace id or a prefixed ULID, not a payload. */
export const MAX_CLIENT_REQUEST_ID_LENGTH = 128;

/** Letters, digits and the separators ids are built with; nothing a log or audit reader must escape. */
const SAFE_REQUEST_ID = new RegExp(`^[A-Za-z0-9._:@/+=-]{1,${MAX_CLIENT_REQUEST_ID_LENGTH}}$`);

/**
 * The client's X-Request-Id when it is a safe, bounded token; otherwise undefined, and the caller
 * makes one. Ids are written to every log line and audit row of the request, so a 5,000-character
 * or control-character header is replaced rather than stored as it is.
 */
export function clientRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : undefined;
}
