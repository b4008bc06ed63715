import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

import { classifyError, sendError } from '../../http/error-response.js';

export default fp(
  async (fastify) => {
    fastify.setErrorHandler((error, request, reply) => {
      // A request no route matches can fail before the not-found handler runs (a body method
      // such as QUERY without a Content-Type): it still gets that route's 404 or 405.
      if (request.is404 || shadowedByStaticRoute(request, error)) return notFound(request, reply);
      const classified = classifyError(error);
      if (classified.statusCode >= 500) {
        request.log.error({ err: error }, 'request failed');
      } else {
        request.log.info(
          { statusCode: classified.statusCode, reason: classified.message },
          'request refused',
        );
      }
      return sendError(request, reply, classified);
    });
    // Every route registered after this plugin, by method and path pattern, so a request that
    // matches a path under another method is answered 405 with Allow instead of 404.
    const known = FindMyWay();
    const methods = new Set<HTTPMethod>();
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat() as HTTPMethod[]) {
        if (known.hasRoute(method, route.url)) continue;
        known.on(method, route.url, () => undefined, { parametric: route.url.includes(':') });
        methods.add(method);
      }
    });
    /**
     * A parametric route refusing its parameter where another method has a static route for the
     * very path (GET /financial/transactions/batch reaching GET /financial/transactions/:id):
     * the path names that static resource, so the answer is its 405.
     */
    function shadowedByStaticRoute(request: FastifyRequest, error: unknown): boolean {
      const e = error as Partial<FastifyError>;
      if (!e.validation || e.validationContext !== 'params') return false;
      const path = request.url.split('?')[0] ?? '';
      return [...methods].some((method) => {
        const found = known.find(method, path);
        return found !== null && !(found.store as { parametric: boolean }).parametric;
      });
    }
    /** The methods of the routes matching `path`; a static route hides parametric ones (/transactions/batch vs /:id). */
    function allowedMethods(path: string): HTTPMethod[] {
      const matches = [...methods].flatMap((method) => {
        const found = known.find(method, path);
        return found ? [{ method, parametric: (found.store as { parametric: boolean }).parametric }] : [];
      });
      const exact = matches.filter((m) => !m.parametric);
      return (exact.length > 0 ? exact : matches).map((m) => m.method);
    }
    function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
      const path = request.url.split('?')[0] ?? '';
      const allowed = allowedMethods(path);
      if (allowed.length > 0) {
        return sendError(request, reply, {
          statusCode: 405,
          message: `method ${request.method} not allowed on ${path}; allowed: ${allowed.join(', ')}`,
          headers: { allow: allowed.join(', ') },
        });
      }
      return sendError(request, reply, {
        statusCode: 404,
        message: `route ${request.method} ${path} not found`,
      });
    }
    fastify.setNotFoundHandler(notFound);
  },
  { name: 'errors' },
);
