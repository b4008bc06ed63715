import { ROTATE_TOKENS_AT_ANNOTATION, ROTATE_TOKEN_ANNOTATION, type Tenant } from '../crd/types.js';

/**
 * Token rotation requests carried by annotations on the Tenant:
 *  - `findash.io/rotate-token: ci,reporting` rotates those clients once; the operator removes
 *    the annotation after the new tokens are in their Secrets.
 *  - `findash.io/rotate-tokens-at: 2026-11-25T20:00:00Z` replaces every token issued before that
 *    instant. It is declarative (tokens issued later satisfy it), so it may stay on the object;
 *    a time in the future takes effect when it arrives.
 */
export interface RotationRequest {
  /** Raw value of rotate-token, to remove exactly that value afterwards. */
  readonly rotateTokenValue: string | undefined;
  readonly clients: ReadonlySet<string>;
  readonly unknownClients: readonly string[];
  readonly issuedBefore: Date | undefined;
  readonly invalidTimestamp: string | undefined;
}

export function rotationRequest(tenant: Tenant): RotationRequest {
  const annotations = tenant.metadata.annotations ?? {};
  const known = new Set((tenant.spec.apiClients ?? []).map((c) => c.name));
  const raw = annotations[ROTATE_TOKEN_ANNOTATION];
  const names = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const all = names.includes('*');
  const clients = new Set(all ? known : names.filter((n) => known.has(n)));
  const unknownClients = all ? [] : names.filter((n) => !known.has(n));

  const at = annotations[ROTATE_TOKENS_AT_ANNOTATION];
  let issuedBefore: Date | undefined;
  let invalidTimestamp: string | undefined;
  if (at !== undefined) {
    const parsed = new Date(at);
    if (/^\d{4}-\d{2}-\d{2}T/.test(at) && !Number.isNaN(parsed.getTime())) issuedBefore = parsed;
    else invalidTimestamp = at;
  }
  return { rotateTokenValue: raw, clients, unknownClients, issuedBefore, invalidTimestamp };
}
