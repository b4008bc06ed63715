import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';

import { CURRENCY_PATTERN } from '../../domain/money/currency.js';
import { TENANT_NAME_PATTERN } from '../../domain/tenants/tenant-model.js';
import { TenantService } from '../../domain/tenants/tenant-service.js';

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
  base_currency: Type.String({ pattern: CURRENCY_PATTERN }),
  timezone: Type.String({ minLength: 1, maxLength: 64 }),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  limits: Limits,
};
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

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
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            after: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Tenant),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const items = await tenants(request).getAll({
        limit: request.query.limit,
        ...(request.query.after ? { after: request.query.after } : {}),
      });
      const last = items.at(-1);
      return { items, next_cursor: items.length === request.query.limit && last ? last.name : null };
    },
  );

  fastify.get(
    '/admin/tenants/:name',
    { config, schema: { tags, params: NameParam, response: { 200: Tenant } } },
    async (request) => tenants(request).getOne(request.params.name),
  );

  fastify.post(
    '/admin/tenants',
    {
      config,
      schema: {
        tags,
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
        response: { 201: Tenant },
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
        params: NameParam,
        body: Type.Partial(Type.Object(Editable, { additionalProperties: false }), {
          additionalProperties: false,
        }),
        response: { 200: Tenant },
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
        params: NameParam,
        querystring: Type.Object(
          { purge: Type.Boolean({ default: false }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await tenants(request).delete(request.params.name, { purge: request.query.purge });
      return reply.code(204).send(null);
    },
  );
};

export default adminTenantRoutes;
