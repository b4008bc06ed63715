/**
 * Node's socket error codes that mean the database cannot be reached or the connection broke:
 * the API answers 503, the metrics count a connection error, the CLI says which database it
 * tried and how to start one.
 */
export const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * The driver's error behind a wrapped one: objection wraps database errors (UniqueViolationError
 * and the like) and keeps pg's, with its SQLSTATE code, as nativeError.
 */
export function nativeDatabaseError(error: unknown): unknown {
  const native = (error as { nativeError?: unknown } | null)?.nativeError;
  return typeof native === 'object' && native !== null ? native : error;
}
