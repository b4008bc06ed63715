import { gzipSync, constants } from 'node:zlib';

/**
 * Gzip of cached dashboard bodies, computed once per body. A cache hit hands back the same
 * Buffer for as long as the entry lives (dashboard-cache.ts), so the compressed copy hangs off
 * that Buffer: no hashing of the body, and it goes when the entry is evicted.
 */
const compressed = new WeakMap<Buffer, Buffer>();

export function gzipOnce(body: Buffer): Buffer {
  let gz = compressed.get(body);
  if (!gz) {
    gz = gzipSync(body, { level: constants.Z_BEST_SPEED });
    compressed.set(body, gz);
  }
  return gz;
}

const GZIP_OR_ANY = /(?:^|,)\s*(?:gzip|\*)\s*(?:,|$)/i;

/** Does an Accept-Encoding header accept gzip (and not refuse it with q=0)? */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  // The usual header ("gzip, deflate, br") has no q-values: one scan, no splitting.
  if (!header.includes(';')) return GZIP_OR_ANY.test(header);
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}
