import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

import { DEFAULT_AUDIT_PAGE, listAuditEvents, MAX_AUDIT_PAGE } from '../../audit/audit-query.js';
import { Cursor, PageOf } from '../ledger/schemas.js';
import { RANGE_RULE, TimeRange } from '../time-range.js';
import { errorResponses, TENANT_ROUTE } from '../responses.js';

const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Text(100, 'e.g. transaction.create, budget.update, dashboard.view')),
    resource_type: Type.Optional(Text(100, 'e.g. account, transaction, budget, dashboard')),
    actor: Type.Optional(Text(300, 'e.g. token:reporting, jwt:alice@example.com')),
    ...TimeRange,
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_AUDIT_PAGE,
        default: DEFAULT_AUDIT_PAGE,
        description: 'page size',
      }),
    ),
    cursor: Type.Optional(Cursor('audit')),
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

const AuditPage = PageOf(AuditEvent);

/** GET /financial/audit: the tenant's audit log, for admins (audit:read). */
const auditRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/financial/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        operationId: 'listAuditEvents',
        summary: "The tenant's audit log, newest first",
        description:
          'Every write (same transaction as the write) and dashboard views (written in batches, seconds later). ' +
          `Filter by action, resource_type, actor and an occurred_at range; page with limit and cursor. ${RANGE_RULE}.`,
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses(TENANT_ROUTE) },
      },
    },
    async (request) =>
      request.withTenant((trx) => listAuditEvents(trx, request.actor, request.query), { readOnly: true }),
  );
};

export default auditRoutes;
