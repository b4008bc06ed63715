import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

import { DomainError } from '../domain/errors.js';

/** A 401 in the API's error shape. */
export function unauthorized(message: string): DomainError {
  return new DomainError(401, message);
}

/** The token of the request's `Authorization: Bearer <token>` header (401 without one). */
export function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw unauthorized('missing Authorization header; send "Authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Authorization header must be "Bearer <token>"');
  return match[1];
}

/** Compares two secrets in constant time (their hashes: lengths may differ). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
