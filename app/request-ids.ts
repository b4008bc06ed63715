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
