import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import fp from 'fastify-plugin';

import {
  COMMITTING,
  DEADLINE_MESSAGE,
  EXPIRED,
  RAW_REQUEST_ID,
  type RequestState,
  type TaggedRequest,
} from '../../http/request-deadline.js';
import { clientRequestId } from '../../request-ids.js';

/** Node's own socketOnTimeout reads the response in flight on a socket from here. */
type ServerSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * Request deadlines at no cost per request. build.ts sets connectionTimeout to
 * REQUEST_TIMEOUT_MS, which arms Node's inactivity timer on every socket (reset by each read and
 * write, so already paid for). When a request is stuck on a dependency nothing moves on its
 * socket, the timer fires and Node emits 'timeout' on the server. Without a listener Node would
 * just cut the connection; this one answers the request in flight 503 in the API's error shape
 * (with Retry-After and the request id), and closes idle keep-alive sockets as Node would.
 * Fastify's handlerTimeout does the same with a timer, an AbortController and listeners per
 * request, and a Set of in-flight requests cost as much: each about an eighth of a cached
 * dashboard's time.
 *
 * A client answered 503 must find nothing written: request transactions check deadlinePassed
 * before they commit and roll back (app/plugins/external/db.ts), and a request whose transaction is
 * already committing is left to finish, so "503" and "committed" never go together. If the stuck
 * handler finishes later, Fastify sees the reply already sent and only logs it.
 */
export default fp(
  async (fastify) => {
    if (fastify.config.REQUEST_TIMEOUT_MS <= 0) return;
    const onTimeout = (socket: ServerSocket): void => {
      const res = socket._httpMessage;
      if (!res || res.headersSent || res.writableEnded) {
        socket.destroy();
        return;
      }
      const req = res.req as TaggedRequest & RequestState;
      if (req[COMMITTING]) return; // its answer follows the commit
      req[EXPIRED] = true;
      const requestId = req[RAW_REQUEST_ID] ?? clientRequestId(req.headers['x-request-id']) ?? '';
      fastify.log.warn(
        { reqId: requestId, method: req.method, url: req.url, timeoutMs: fastify.config.REQUEST_TIMEOUT_MS },
        'request deadline exceeded; answered 503',
      );
      const body = JSON.stringify({
        statusCode: 503,
        error: 'Service Unavailable',
        message: DEADLINE_MESSAGE,
        request_id: requestId,
      });
      res.writeHead(503, {
        ...fastify.securityHeaders.api,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        'retry-after': '1',
        'x-request-id': requestId,
      });
      res.end(body);
      fastify.metrics.observeRawAnswer(req, 503);
    };
    fastify.server.on('timeout', onTimeout);
    fastify.addHook('onClose', async () => {
      fastify.server.off('timeout', onTimeout);
    });
  },
  { name: 'deadlines', dependencies: ['config', 'security', 'metrics'] },
);
