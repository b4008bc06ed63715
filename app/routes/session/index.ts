import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import { can, PERMISSIONS, ROLES } from '../../domain/auth/roles.js';
import { errorResponses, TENANT_ROUTE } from '../responses.js';

const Me = Type.Object({
  tenant: Type.Object({
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    type: Type.Enum(['user', 'organization']),
  }),
  role: Type.Enum([...ROLES]),
  actor: Type.String({ description: 'token:<name> or jwt:<subject>, as the audit log records it' }),
  permissions: Type.Array(Type.Enum([...PERMISSIONS])),
});

/**
 * GET /financial/me: who the bearer credential is (tenant, role, permissions), so a client (the
 * web UI) shows what the role may do without probing routes for a 403. Any role may ask.
 */
const sessionRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/financial/me',
    {
      config: { permission: 'dashboard:read' },
      schema: {
        tags: ['session'],
        operationId: 'getSession',
        summary: 'The tenant, role and permissions of the bearer credential',
        description:
          'Any role may ask; a client shows what the role may do without probing routes for a 403.',
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Me, ...errorResponses(TENANT_ROUTE) },
      },
    },
    async (request) => {
      const { actor } = request;
      return {
        tenant: { id: actor.tenantId, name: actor.tenantName, type: actor.tenantType },
        role: actor.role,
        actor: actor.actor,
        permissions: PERMISSIONS.filter((permission) => can(actor.role, permission)),
      };
    },
  );
};

export default sessionRoutes;
