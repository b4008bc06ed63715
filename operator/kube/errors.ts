import type { Status } from './types.js';

/** A non-2xx answer from the API server, with its Status (code, reason, message). */
export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: Status;

  constructor(code: number, status: Status, method: string, path: string) {
    super(
      `${method} ${path}: ${code} ${status.reason ?? ''} ${status.message ?? ''}`.replace(/\s+/g, ' ').trim(),
    );
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = status.reason ?? '';
    this.status = status;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 409;
}
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 410;
}
