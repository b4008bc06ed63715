import type { onSendHookHandler } from 'fastify';

import type { ActorContext } from '../domain/context.js';
import type { ViewRecorder } from './view-recorder.js';

const DASHBOARD_PREFIX = '/financial/dashboard';

/**
 * The onSend hook of one dashboard route (`url`, a route template): each successful response
 * is counted (`count`) and handed to the recorder after it is sent, with what it records worked
 * out once per route. Null for a route that is not a dashboard.
 */
export function dashboardViewHook(
  url: string,
  recorder: ViewRecorder,
  count: (tenantType: ActorContext['tenantType']) => void,
): onSendHookHandler | null {
  if (!url.startsWith(DASHBOARD_PREFIX)) return null;
  const part = url.slice(DASHBOARD_PREFIX.length).replace(/^\//, '') || 'dashboard';
  return (request, reply, payload, done) => {
    const actor = request.actor as ActorContext | null;
    const principal = request.principal;
    if (reply.statusCode === 200 && actor && principal) {
      count(actor.tenantType);
      recorder.record(actor, principal.subject, part, url, request.id);
    }
    done(null, payload);
  };
}
