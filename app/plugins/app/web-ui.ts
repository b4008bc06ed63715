import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import type { AppConfig } from '../../config.js';
import type { UiFile } from '../../dev/web-build.js';

/**
 * The browser UI at /app/ (source: web/, built by app/dev/web-build.ts). Files are held in
 * memory, compressed once (brotli and gzip), and served with:
 *
 * - hashed assets (/app/assets/*-HASH.js|css): `Cache-Control: public, max-age=31536000, immutable`;
 * - index.html and /app/config.json: `Cache-Control: no-cache` plus an ETag, so a new build is
 *   picked up on the next load and an unchanged one costs a 304;
 * - a CSP without 'unsafe-inline' or 'unsafe-eval': scripts and styles from the page's own origin
 *   only, API calls to the same origin (and the OIDC issuer when sign-in with it is configured),
 *   no framing, no plugins, no base or form targets elsewhere.
 *
 * Where the files come from: running from source in development or testing, the bundle is built
 * in memory by esbuild (at start in development, on the first UI request in testing, so test
 * apps that never open the UI pay nothing), so it is never stale or missing. Otherwise (the
 * compiled image) it is read from dist/ui, written by `npm run build`; when that is missing the
 * UI answers 503 saying so and the API is unaffected.
 */
interface Asset {
  readonly type: string;
  readonly cacheControl: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip: Buffer;
  readonly br: Buffer;
}

type Assets = ReadonlyMap<string, Asset>;

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

export interface WebUiOptions {
  /** Serve these files instead of building or reading them (tests). */
  readonly files?: readonly UiFile[];
  /** Read the built UI from here instead of dist/ui (tests). */
  readonly dir?: string;
}

/** What the page needs to know before it signs in (no secret: the OIDC client is public). */
export interface UiConfig {
  readonly oidc: { issuer: string; client_id: string; scope: string; audience: string } | null;
}

export function uiConfig(config: AppConfig): UiConfig {
  const enabled = Boolean((config.JWT_JWKS_URL ?? config.JWT_JWKS) && config.OIDC_CLIENT_ID);
  return {
    oidc:
      enabled && config.JWT_ISSUER && config.OIDC_CLIENT_ID && config.JWT_AUDIENCE
        ? {
            issuer: config.JWT_ISSUER,
            client_id: config.OIDC_CLIENT_ID,
            scope: config.OIDC_SCOPE,
            audience: config.JWT_AUDIENCE,
          }
        : null,
  };
}

/** The page's CSP: its own origin only, plus the identity provider for OIDC's token request. */
export function uiContentSecurityPolicy(config: UiConfig): string {
  const connect = ["'self'"];
  if (config.oidc) {
    try {
      connect.push(new URL(config.oidc.issuer).origin);
    } catch {
      // An issuer that is not a URL cannot be used for OIDC discovery; the page says so.
    }
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join(';');
}

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

function toAssets(files: readonly UiFile[], config: UiConfig): Assets {
  const map = new Map<string, Asset>();
  for (const file of files) map.set(file.name, asset(file.name, file.body));
  map.set('config.json', asset('config.json', Buffer.from(JSON.stringify(config))));
  return map;
}

/** dist/ui next to the compiled app (dist/app/plugins → dist/ui), or below the repo when run from source. */
function builtDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, '..', '..');
  return path.basename(root) === 'dist' ? path.join(root, 'ui') : path.join(root, 'dist', 'ui');
}

async function readBuilt(dir: string): Promise<UiFile[] | null> {
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

function pick(request: FastifyRequest, item: Asset): { body: Buffer; encoding: string | null } {
  const accept = request.headers['accept-encoding'] ?? '';
  if (/\bbr\b/.test(accept)) return { body: item.br, encoding: 'br' };
  if (/\bgzip\b/.test(accept)) return { body: item.gzip, encoding: 'gzip' };
  return { body: item.identity, encoding: null };
}

export default fp<WebUiOptions>(
  async (fastify, opts) => {
    const { config } = fastify;
    const pageConfig = uiConfig(config);
    const csp = uiContentSecurityPolicy(pageConfig);
    const headers: Record<string, string> = {
      ...fastify.securityHeaders.documents,
      'content-security-policy': csp,
      'cross-origin-opener-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
    };
    const fromSource =
      !opts.files && !opts.dir && config.FINDASH_ENV !== 'production' && config.FINDASH_ENV !== 'staging';
    const dir = opts.dir ?? builtDir();

    let loading: Promise<Assets | null> | null = null;
    function load(): Promise<Assets | null> {
      loading ??= (async () => {
        if (opts.files) return toAssets(opts.files, pageConfig);
        // Imported only here: esbuild is a build tool, never loaded by the compiled image.
        const builder = fromSource ? await import('../../dev/web-build.js') : null;
        if (builder?.hasWebSource()) {
          const started = performance.now();
          const files = await builder.buildUi();
          fastify.log.debug({ ms: Math.round(performance.now() - started) }, 'web UI built in memory');
          return toAssets(files, pageConfig);
        }
        const files = await readBuilt(dir);
        if (!files) {
          fastify.log.warn(`web UI not built (no ${dir}/index.html); run npm run build`);
          return null;
        }
        return toAssets(files, pageConfig);
      })().catch((error: unknown) => {
        fastify.log.error({ err: error }, 'web UI build failed');
        loading = null;
        return null;
      });
      return loading;
    }
    // A person runs `npm start` to look at it: have the page ready by the time they open it.
    if (config.FINDASH_ENV === 'development' || !fromSource) {
      fastify.addHook('onReady', async () => {
        void load();
      });
    }

    async function serve(request: FastifyRequest, reply: FastifyReply, name: string): Promise<FastifyReply> {
      for (const header of Object.keys(fastify.securityHeaders.api)) void reply.removeHeader(header);
      void reply.headers(headers);
      const assets = await load();
      if (!assets) {
        return reply
          .code(503)
          .header('cache-control', 'no-store')
          .type('text/plain; charset=utf-8')
          .send(
            'The findash web UI is not built on this server: run `npm run build`. The API works as usual.\n',
          );
      }
      const item = assets.get(name);
      if (!item) {
        return reply
          .code(404)
          .header('cache-control', 'no-store')
          .type('text/plain; charset=utf-8')
          .send('not found\n');
      }
      void reply
        .header('cache-control', item.cacheControl)
        .header('etag', item.etag)
        .header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === item.etag) return reply.code(304).send();
      const { body, encoding } = pick(request, item);
      if (encoding) void reply.header('content-encoding', encoding);
      return reply.type(item.type).send(body);
    }

    const hide = { schema: { hide: true } };
    fastify.get('/', hide, async (_request, reply) => reply.redirect('/app/', 302));
    fastify.get('/app', hide, async (_request, reply) => reply.redirect('/app/', 301));
    fastify.get('/app/', hide, async (request, reply) => serve(request, reply, 'index.html'));
    fastify.get('/app/config.json', hide, async (request, reply) => serve(request, reply, 'config.json'));
    fastify.get<{ Params: { file: string } }>('/app/assets/:file', hide, async (request, reply) =>
      serve(request, reply, `assets/${request.params.file}`),
    );
  },
  { name: 'web-ui', dependencies: ['security', 'config'] },
);
