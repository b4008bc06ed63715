import { trace, isSpanContextValid } from '@opentelemetry/api';
import fp from 'fastify-plugin';

import type { ActorContext } from '../../domain/context.js';

/**
 * pino mixin: every log line written while a span is active carries its trace_id and span_id,
 * so a log line leads to its trace and back. Without the OpenTelemetry SDK (telemetry.ts not
 * loaded or OTEL_EXPORTER_OTLP_ENDPOINT unset) there is never an active span and this adds
 * nothing. build.ts passes it as the logger's `mixin`.
 */
export function traceLogMixin(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

/**
 * Adds what the request span cannot know on its own: the tenant (id and type, never the token)
 * once authentication has resolved it, and the request id that the logs and error reports use.
 */
export default fp(
  async (fastify) => {
    // Without an exporter telemetry.ts starts no SDK: there is never a span to annotate.
    if (!fastify.config.OTEL_EXPORTER_OTLP_ENDPOINT) return;
    fastify.addHook('preHandler', (request, _reply, done) => {
      const span = trace.getActiveSpan();
      if (span) {
        span.setAttribute('findash.request_id', request.id);
        const actor = request.actor as ActorContext | null;
        if (actor) {
          span.setAttribute('findash.tenant_id', actor.tenantId);
          span.setAttribute('findash.tenant_type', actor.tenantType);
        }
      }
      done();
    });
  },
  { name: 'tracing', dependencies: ['config', 'auth'] },
);
