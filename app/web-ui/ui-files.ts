import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

import type { UiFile } from '../dev/web-build.js';
import type { UiConfig } from './ui-config.js';

/** One file of the UI as served: its headers' values and its bytes, compressed once each way. */
export interface Asset {
  readonly type: string;
  readonly cacheControl: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip: Buffer;
  readonly br: Buffer;
}

export type Assets = ReadonlyMap<string, Asset>;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function asset(name: string, body: Buffer): Asset {
  const hashed = name.startsWith('assets/');
  return {
    type: TYPES[path.extname(name)] ?? 'application/octet-stream',
    cacheControl: hashed ? IMMUTABLE : REVALIDATE,
    etag: `"${createEtag(body)}"`,
    identity: body,
    gzip: gzipSync(body, { level: 9 }),
    br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
  };
}

function createEtag(body: Buffer): string {
  // FNV-1a over the bytes is plenty for a cache validator of a few files, and needs no import.
  let hash = 0x811c9dc5;
  for (const byte of body) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${body.length.toString(36)}-${hash.toString(36)}`;
}

export function toAssets(files: readonly UiFile[], config: UiConfig): Assets {
  const map = new Map<string, Asset>();
  for (const file of files) map.set(file.name, asset(file.name, file.body));
  map.set('config.json', asset('config.json', Buffer.from(JSON.stringify(config))));
  return map;
}

/** dist/ui next to the compiled app (dist/app/web-ui → dist/ui), or below the repo when run from source. */
export function builtDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, '..', '..');
  return path.basename(root) === 'dist' ? path.join(root, 'ui') : path.join(root, 'dist', 'ui');
}

export async function readBuilt(dir: string): Promise<UiFile[] | null> {
  if (!existsSync(path.join(dir, 'index.html'))) return null;
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: UiFile[] = [];
  for (const entry of names) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.push({ name: path.relative(dir, full).split(path.sep).join('/'), body: await readFile(full) });
  }
  return files;
}

/** The copy the client accepts: brotli, else gzip, else as it is. */
export function pick(
  acceptEncoding: string | undefined,
  item: Asset,
): { body: Buffer; encoding: string | null } {
  const accept = acceptEncoding ?? '';
  if (/\bbr\b/.test(accept)) return { body: item.br, encoding: 'br' };
  if (/\bgzip\b/.test(accept)) return { body: item.gzip, encoding: 'gzip' };
  return { body: item.identity, encoding: null };
}
