import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque API tokens: 32 random bytes, prefixed so they are recognisable in logs and secret
 * scanners. Only the sha256 is stored; a 256-bit random token needs no slow hash.
 */
const PREFIX = 'fdt_';

export function generateToken(): { token: string; hash: Buffer } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function looksLikeApiToken(token: string): boolean {
  return token.startsWith(PREFIX) && token.length === PREFIX.length + 43;
}
