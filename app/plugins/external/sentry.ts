import fp from 'fastify-plugin';

import type { ActorContext } from '../../domain/context.js';
import { classifyError } from '../../http/error-response.js';
import { reportableError, scrubEvent, scrubValue } from '../../http/error-scrub.js';
import { UNMATCHED_ROUTE } from '../../metrics/app-metrics.js';

export default fp(
  async (fastify) => {
    const dsn = fastify.config.SENTRY_DSN;
    if (!dsn) return;
    const Sentry = await import('@sentry/node');
    if (!Sentry.isInitialized()) {
      Sentry.init({
        dsn,
        environment: fastify.config.FINDASH_ENV,
        // Collect nothing about the request on our behalf; the tags below say what matters.
        dataCollection: {
          userInfo: false,
          cookies: false,
          httpHeaders: false,
          httpBodies: [],
          urlQueryParams: false,
        },
        defaultIntegrations: false,
        integrations: [
          Sentry.onUncaughtExceptionIntegration(),
          Sentry.onUnhandledRejectionIntegration(),
          Sentry.linkedErrorsIntegration(),
          Sentry.dedupeIntegration(),
          Sentry.nodeContextIntegration(),
        ],
        enableOpenTelemetrySetup: false,
        // No module-loader hooks: none of Sentry's channel-based integrations are used.
        enableRuntimeChannelInjection: false,
        beforeSend: scrubEvent,
        beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
      });
    }

    fastify.addHook('onError', async (request, _reply, error) => {
      const { statusCode } = classifyError(error);
      if (statusCode < 500) return;
      const actor = request.actor as ActorContext | null;
      Sentry.withScope((scope) => {
        scope.setTags({
          request_id: request.id,
          route: request.routeOptions.url ?? UNMATCHED_ROUTE,
          method: request.method,
          status_code: String(statusCode),
          ...(actor ? { tenant_id: actor.tenantId, tenant_type: actor.tenantType } : {}),
        });
        Sentry.captureException(reportableError(error));
      });
    });
    // Shutdown: deliver what is queued before the process exits.
    fastify.addHook('onClose', async () => {
      await Sentry.flush(2000);
    });
  },
  { name: 'sentry', dependencies: ['config', 'auth'] },
);
