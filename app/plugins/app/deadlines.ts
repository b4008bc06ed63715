import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import fp from 'fastify-plugin';

import type { CommitGuard } from '../../db/tenant-scope.js';
import { DomainError } from '../../domain/errors.js';
import { clientRequestId } from '../../request-ids.js';

/** Where build.ts's genReqId leaves the id it generated, for answers written outside Fastify. */
export const RAW_REQUEST_ID = Symbol('findash.requestId');

type TaggedRequest = IncomingMessage & { [RAW_REQUEST_ID]?: string };

/** Node's own socketOnTimeout reads the response in flight on a socket from here. */
type ServerSocket = Socket & { _httpMessage?: ServerResponse | null };

export const DEADLINE_MESSAGE = 'the request took too long; retry shortly';

const EXPIRED = Symbol('findash.deadlineExpired');
const COMMITTING = Symbol('findash.committing');

type RequestState = IncomingMessage & { [EXPIRED]?: boolean; [COMMITTING]?: boolean };

/** Was this request already answered 503 by its deadline? (Its work must then not commit.) */
function deadlinePassed(req: IncomingMessage): boolean {
  return (req as RequestState)[EXPIRED] === true;
}

/**
 * Marks a request's transaction as committing (or done committing): while it commits, the
 * deadline lets the commit finish and its real answer go out instead of answering 503.
 */
function setCommitting(req: IncomingMessage, committing: boolean): void {
  (req as RequestState)[COMMITTING] = committing;
}

/**
 * The commit guard of a request's write transaction: it rolls back if the deadline has already
 * answered 503, else it is marked committing until it settles (so the deadline waits for it).
 */
export function commitGuard(req: IncomingMessage): CommitGuard {
  return {
    beforeCommit() {
      if (deadlinePassed(req)) throw new DomainError(503, 'the request took too long; nothing was written');
      setCommitting(req, true);
    },
    settled() {
      setCommitting(req, false);
    },
  };
}

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
