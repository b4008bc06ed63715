import type { KubeClient } from './client.js';
import type { KubeObject } from './types.js';

// Server-side apply that skips the request when the live object already holds what we would
// send. The API server would accept an identical apply as a no-op, but skipping it means a
// resync of a converged Tenant makes no write request at all (and no managedFields churn).

/**
 * True when every field of `desired` is present in `live` with the same value. Objects may have
 * extra keys in `live` (defaults, other managers' labels), except at the `exact` paths (e.g.
 * Secret data) where the key sets must match too. Arrays must match element by element.
 */
export function containsDesired(
  desired: unknown,
  live: unknown,
  exact: ReadonlySet<string> = new Set(),
  path = '',
): boolean {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => containsDesired(d, live[i], exact, `${path}[]`));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    const d = desired as Record<string, unknown>;
    if (exact.has(path) && Object.keys(l).length !== Object.keys(d).length) return false;
    return Object.entries(d).every(([k, v]) => containsDesired(v, l[k], exact, path ? `${path}.${k}` : k));
  }
  return desired === live;
}

/** True when `live` exists, is not being deleted, and already holds everything `desired` would set. */
export function holdsDesired<T extends KubeObject>(
  desired: T,
  live: T | null,
  exact: ReadonlySet<string> = new Set(),
): boolean {
  // List items carry no apiVersion/kind, and the URL already fixes both.
  const fields: Partial<T> = { ...desired };
  delete fields.apiVersion;
  delete fields.kind;
  return live !== null && !live.metadata.deletionTimestamp && containsDesired(fields, live, exact);
}

export interface ApplyOutcome<T> {
  readonly object: T;
  readonly changed: boolean;
}

/**
 * Applies `desired` at `path` (the object's own URL) unless `live` already contains it.
 * `live` is what the caller just read (null when absent).
 */
export async function applyIfChanged<T extends KubeObject>(
  client: KubeClient,
  path: string,
  desired: T,
  live: T | null,
  fieldManager: string,
  exact: ReadonlySet<string> = new Set(),
): Promise<ApplyOutcome<T>> {
  if (live && holdsDesired(desired, live, exact)) return { object: live, changed: false };
  const object = await client.apply<T>(path, desired, fieldManager);
  return { object, changed: true };
}
