import { DomainError } from '../../../app/domain/errors.js';
import { KubeApiError } from '../../kube/errors.js';

/** A step failed in a way retrying will fix (API server, database, a terminating namespace). */
export class RetryableError extends Error {}

export function describe(err: unknown): string {
  if (err instanceof KubeApiError) return err.status.message ?? err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Turns a Kubernetes API failure into a reason and a message saying what to do. */
export function kubeFailure(what: string, err: unknown): { reason: string; message: string } {
  if (err instanceof KubeApiError && err.code === 403) {
    return {
      reason: 'Forbidden',
      message: `${what}: the operator is not allowed to (${describe(err)}); check its ClusterRoles and admission policy (operator/rbac/) and its SERVICE_ACCOUNT_NAME / POD_NAMESPACE`,
    };
  }
  if (err instanceof KubeApiError && err.code === 422) {
    return { reason: 'Invalid', message: `${what}: the API server refused the object: ${describe(err)}` };
  }
  return { reason: 'KubernetesAPIError', message: `${what}: ${describe(err)}; retrying with backoff` };
}

/** Turns a database failure into a reason, a message, and whether retrying can fix it (a bad spec cannot). */
export function dbFailure(err: unknown): { reason: string; message: string; retry: boolean } {
  if (err instanceof DomainError && err.statusCode === 400) {
    return { reason: 'InvalidSpec', message: `${err.message}; fix the Tenant spec`, retry: false };
  }
  if (err instanceof DomainError && err.statusCode === 409) {
    return { reason: 'Conflict', message: err.message, retry: false };
  }
  return {
    reason: 'DatabaseError',
    message: `could not sync the database: ${describe(err)}; check DATABASE_URL and PostgreSQL, retrying with backoff`,
    retry: true,
  };
}
