import { gzipSync, constants } from 'node:zlib';

import { LRUCache } from 'lru-cache';

/**
 * Gzip of cached dashboard bodies, computed once per body. A cache hit hands back the same
 * string for as long as the entry lives, so the compressed copy is looked up by that string
 * (V8 keeps a string's hash on the string, so repeat lookups cost no rehash).
 */
const compressed = new LRUCache<string, Buffer>({
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (value, key) => value.length + key.length,
});

export function gzipOnce(body: string): Buffer {
  let gz = compressed.get(body);
  if (!gz) {
    gz = gzipSync(body, { level: constants.Z_BEST_SPEED });
    compressed.set(body, gz);
  }
  return gz;
}

/** Does an Accept-Encoding header accept gzip (and not refuse it with q=0)? */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}
