import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';

import { useDocumentHeaders } from './security.js';

/**
 * OpenAPI 3 document generated from the route schemas; UI at /docs, JSON at /docs/json. The UI
 * is an HTML page, so its routes (an encapsulated scope of their own) get the browser-document
 * security headers instead of the API's (app/plugins/external/security.ts).
 */
export default fp(
  async (fastify) => {
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'findash API',
          description:
            'Multi-tenant financial dashboards. Authenticate with `Authorization: Bearer <token>`.',
          version: '0.1.0',
          contact: { name: 'findash maintainers' },
          license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        },
        // Relative: the document describes whichever host serves it.
        servers: [{ url: '/' }],
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
        security: [{ bearer: [] }],
        tags: [
          { name: 'health', description: 'Liveness, readiness and per-dependency health; no token' },
          { name: 'dashboard', description: 'Read-only dashboards of the tenant (dashboard:read)' },
          { name: 'accounts', description: 'Ledger accounts (ledger:read, ledger:write)' },
          {
            name: 'transactions',
            description: 'Income, expenses and transfers (transactions:read, ledger:write)',
          },
          { name: 'budgets', description: 'Spending plans (ledger:read, ledger:write)' },
          { name: 'audit', description: 'The tenant audit log (audit:read)' },
          { name: 'session', description: 'Who the bearer credential is: tenant, role, permissions' },
          { name: 'admin', description: 'The tenant service, for the platform administrator (ADMIN_TOKEN)' },
        ],
      },
      // A prefix's root route is served with and without the trailing slash; the document names
      // it once, without (GET /financial/dashboard).
      transform: ({ schema, url }) => ({ schema, url: url.length > 1 ? url.replace(/\/$/, '') : url }),
    });
    await fastify.register(async (docs) => {
      docs.addHook('onRequest', (_request, reply, done) => {
        useDocumentHeaders(reply, fastify.securityHeaders);
        done();
      });
      await docs.register(swaggerUi, { routePrefix: '/docs' });
    });
  },
  { name: 'swagger', dependencies: ['security'] },
);
