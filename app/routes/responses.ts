import { Type, type TSchema } from 'typebox';

/**
 * The error answers of the OpenAPI document. Every failure has the one shape of
 * app/plugins/app/errors.ts; each operation lists exactly the statuses it can answer, so clients and
 * contract fuzzers know them (a status the document does not list is a bug in one or the other).
 */
export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  request_id: Type.String(),
  field: Type.Optional(Type.String({ description: 'the offending field, for 400s' })),
});

const WHEN = {
  400: 'Bad input: the message and `field` name what to fix',
  401: 'Missing, invalid or revoked token',
  403: 'The role lacks the permission, or the tenant is suspended',
  404: 'No such resource in this tenant (another tenant’s ids are not found either)',
  409: 'Conflicts with the resource’s current state',
  413: 'The body is larger than the limit',
  415: 'The body is not JSON',
  422: 'Idempotency-Key reused with a different body',
  429: 'Over a limit: the rate limit (see Retry-After) or the tenant’s account limit',
  503: 'A dependency is down or the request took too long; retry (see Retry-After)',
} as const;

export type ErrorStatus = keyof typeof WHEN;

/** A tenant route: bad input, authentication, permission, rate limit, database down. */
export const TENANT_ROUTE: readonly ErrorStatus[] = [400, 401, 403, 429, 503];
/** A platform-admin route: 404 also when ADMIN_TOKEN is unset (administration disabled). */
export const ADMIN_ROUTE: readonly ErrorStatus[] = [400, 401, 404, 503];
/** A route that takes a JSON body. */
export const JSON_BODY: readonly ErrorStatus[] = [413, 415];

/** Response schemas for the given statuses, each described by when it is answered. */
export function errorResponses(
  ...groups: ReadonlyArray<readonly ErrorStatus[] | ErrorStatus>
): Record<number, TSchema> {
  const statuses = [...new Set(groups.flat())].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => [status, { ...ErrorResponse, description: WHEN[status] }]),
  );
}
