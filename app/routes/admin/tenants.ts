import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { TENANT_NAME_PATTERN } from '../../domain/tenants/tenant-model.js';
import { TenantService } from '../../domain/tenants/tenant-service.js';
import { Currency } from '../ledger/schemas.js';
import { ADMIN_ROUTE, errorResponses, JSON_BODY } from '../responses.js';

const Limits = Type.Object(
  {
    requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    maxAccounts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
const Tenant = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  type: Type.Union([Type.Literal('user'), Type.Literal('organization')]),
  display_name: Type.String(),
  base_currency: Type.String(),
  timezone: Type.String(),
  status: Type.String(),
  limits: Limits,
  k8s_uid: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
});
const Editable = {
  display_name: Type.String({ minLength: 1, maxLength: 200 }),
  base_currency: Currency,
  timezone: Type.String({ minLength: 1, maxLength: 64 }),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  limits: Limits,
};
// A tenant name (a lower-case id matches the same pattern, and getOne takes either).
const NameParam = Type.Object({
  name: Type.String({ pattern: TENANT_NAME_PATTERN, description: 'tenant name or id' }),
});
const DEFAULT_TENANT_PAGE = 100;
const MAX_TENANT_PAGE = 500;

/** /admin/tenants: the tenant service for the platform administrator (ADMIN_TOKEN). */
const adminTenantRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  // Each request's statements end with its deadline; its writes roll back if the deadline has
  // already answered 503.
  const tenants = (request: FastifyRequest): TenantService =>
    new TenantService(fastify.db, request.transactionOptions());
  const config = { platformAdmin: true };
  const tags = ['admin'];

  fastify.get(
    '/admin/tenants',
    {
      config,
      schema: {
        tags,
        operationId: 'listTenants',
        summary: 'List tenants by name',
        description: 'Every tenant, deleted ones included, ordered by name; page with limit and after.',
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_TENANT_PAGE, default: DEFAULT_TENANT_PAGE }),
            ),
            after: Type.Optional(
              Type.String({
                pattern: TENANT_NAME_PATTERN,
                description: 'next_cursor of the previous page (a tenant name)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Tenant),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(ADMIN_ROUTE),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_TENANT_PAGE;
      const items = await tenants(request).getAll({
        limit,
        ...(request.query.after ? { after: request.query.after } : {}),
      });
      const last = items.at(-1);
      return { items, next_cursor: items.length === limit && last ? last.name : null };
    },
  );

  fastify.get(
    '/admin/tenants/:name',
    {
      config,
      schema: {
        tags,
        operationId: 'getTenant',
        summary: 'Read a tenant',
        description: 'A tenant by name or id, with its status and limits.',
        params: NameParam,
        response: { 200: Tenant, ...errorResponses(ADMIN_ROUTE) },
      },
    },
    async (request) => tenants(request).getOne(request.params.name),
  );

  fastify.post(
    '/admin/tenants',
    {
      links: {
        201: {
          GetTenant: { operationId: 'getTenant', parameters: { 'path.name': '$response.body#/name' } },
          UpdateTenant: { operationId: 'updateTenant', parameters: { 'path.name': '$response.body#/name' } },
          DeleteTenant: { operationId: 'deleteTenant', parameters: { 'path.name': '$response.body#/name' } },
        },
      },
      config,
      schema: {
        tags,
        operationId: 'createTenant',
        summary: 'Create a tenant',
        description:
          'A new active tenant (no tokens yet: issue them with the CLI or the operator); 409 when the name is taken.',
        body: Type.Object(
          {
            name: Type.String({ pattern: TENANT_NAME_PATTERN }),
            type: Type.Union([Type.Literal('user'), Type.Literal('organization')]),
            ...Editable,
            base_currency: Type.Optional(Editable.base_currency),
            timezone: Type.Optional(Editable.timezone),
            status: Type.Optional(Editable.status),
            limits: Type.Optional(Limits),
          },
          { additionalProperties: false },
        ),
        response: { 201: Tenant, ...errorResponses(ADMIN_ROUTE, JSON_BODY, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await tenants(request).create(request.body)),
  );

  fastify.patch(
    '/admin/tenants/:name',
    {
      config,
      schema: {
        tags,
        operationId: 'updateTenant',
        summary: 'Change a tenant',
        description: 'Display name, base currency, timezone, status (active or suspended) and limits.',
        params: NameParam,
        body: Type.Partial(Type.Object(Editable, { additionalProperties: false }), {
          additionalProperties: false,
        }),
        response: { 200: Tenant, ...errorResponses(ADMIN_ROUTE, JSON_BODY) },
      },
    },
    async (request) => tenants(request).update(request.params.name, request.body),
  );

  fastify.delete(
    '/admin/tenants/:name',
    {
      config,
      schema: {
        tags,
        operationId: 'deleteTenant',
        summary: 'Delete a tenant',
        description:
          'Marks the tenant deleted and revokes its tokens; with purge=true its data is removed as well.',
        params: NameParam,
        querystring: Type.Object(
          { purge: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses(ADMIN_ROUTE, JSON_BODY) },
      },
    },
    async (request, reply) => {
      await tenants(request).delete(request.params.name, { purge: request.query.purge ?? false });
      return reply.code(204).send(null);
    },
  );
};

export default adminTenantRoutes;
