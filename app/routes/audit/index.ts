import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import { listAuditEvents, MAX_AUDIT_PAGE } from '../../audit/audit-query.js';
import { ErrorResponse } from '../ledger/schemas.js';

const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Text(100, 'e.g. transaction.create, budget.update, dashboard.view')),
    resource_type: Type.Optional(Text(100, 'e.g. account, transaction, budget, dashboard')),
    actor: Type.Optional(Text(300, 'e.g. token:reporting, jwt:alice@example.com')),
    from: Type.Optional(Text(35, 'events at or after this ISO 8601 time (or date)')),
    to: Type.Optional(Text(35, 'events before this ISO 8601 time (or date)')),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE, description: 'page size, default 50' }),
    ),
    cursor: Type.Optional(Text(500, 'next_cursor of the previous page')),
  },
  { additionalProperties: false },
);

const AuditEvent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  occurred_at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  action: Type.String(),
  resource_type: Type.String(),
  resource_id: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const AuditPage = Type.Object({
  data: Type.Array(AuditEvent),
  next_cursor: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as ?cursor= for the next page',
  }),
});

/** GET /financial/audit: the tenant's audit log, for admins (audit:read). */
const auditRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/financial/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "The tenant's audit log, newest first",
        description:
          'Every write (same transaction as the write) and dashboard views (written in batches, seconds later). ' +
          'Filter by action, resource_type, actor and a from/to time range; page with limit and cursor.',
        querystring: AuditQuery,
        response: { 200: AuditPage, '4xx': ErrorResponse, '5xx': ErrorResponse },
      },
    },
    async (request) =>
      request.withTenant((trx) => listAuditEvents(trx, request.actor, request.query), { readOnly: true }),
  );
};

export default auditRoutes;
