import type { IncomingMessage } from 'node:http';

import type { CommitGuard } from '../db/tenant-scope.js';
import { DomainError } from '../domain/errors.js';

/*
 * A request's deadline state, kept on the raw request: whether its deadline has answered 503
 * (its work must then not commit) and whether its transaction is committing (the deadline then
 * lets the commit finish and its real answer go out). The deadlines plugin answers; the database
 * plugin's write transactions ask.
 */
/** Where build.ts's genReqId leaves the id it generated, for answers written outside Fastify. */
export const RAW_REQUEST_ID = Symbol('findash.requestId');

export type TaggedRequest = IncomingMessage & { [RAW_REQUEST_ID]?: string };

export const DEADLINE_MESSAGE = 'the request took too long; retry shortly';

export const EXPIRED = Symbol('findash.deadlineExpired');
export const COMMITTING = Symbol('findash.committing');

export type RequestState = IncomingMessage & { [EXPIRED]?: boolean; [COMMITTING]?: boolean };

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
