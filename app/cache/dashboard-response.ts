import { acceptsGzip, gzipOnce } from './gzip-once.js';

/** A dashboard answer as it goes on the wire. */
export interface DashboardResponse {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

const JSON_BODY = { 'content-type': 'application/json; charset=utf-8', vary: 'accept-encoding' };
const GZIP_JSON = { ...JSON_BODY, 'content-encoding': 'gzip' };

/**
 * Cached bodies are compressed once and reused, for clients that accept gzip; uncached ones
 * (DASHBOARD_CACHE_TTL=0) and small ones go out as they are, where compressing costs more than
 * it saves.
 */
export function dashboardResponse(
  body: Buffer,
  cached: boolean,
  acceptEncoding: string | undefined,
): DashboardResponse {
  if (cached && body.byteLength > 1024 && acceptsGzip(acceptEncoding)) {
    return { body: gzipOnce(body), headers: GZIP_JSON };
  }
  return { body, headers: JSON_BODY };
}
