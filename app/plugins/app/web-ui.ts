import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import type { UiFile } from '../../dev/web-build.js';
import { uiConfig, uiContentSecurityPolicy } from '../../web-ui/ui-config.js';
import { builtDir, pick, readBuilt, toAssets, type Assets } from '../../web-ui/ui-files.js';

/** Options of the web UI plugin. */
export interface WebUiOptions {
  /** Serve these files instead of building or reading them (tests). */
  readonly files?: readonly UiFile[];
  /** Read the built UI from here instead of dist/ui (tests). */
  readonly dir?: string;
}

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
      const { body, encoding } = pick(request.headers['accept-encoding'], item);
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
