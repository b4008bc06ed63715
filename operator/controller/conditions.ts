import type { Condition, ConditionStatus, ConditionType, TenantStatus } from '../crd/types.js';

/**
 * Status conditions in the metav1.Condition shape. lastTransitionTime moves only when a
 * condition's status flips, so re-deriving the same conditions yields the same status and a
 * converged Tenant's status is never rewritten.
 */

export interface ConditionInput {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

export const SIDE_EFFECT_CONDITIONS: readonly ConditionType[] = [
  'DatabaseSynced',
  'NamespaceReady',
  'CredentialsReady',
  'RBACReady',
];

export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before && before.status === c.status
        ? before.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      type: c.type,
      status: c.status,
      observedGeneration: generation,
      lastTransitionTime,
      reason: c.reason,
      message: c.message,
    };
  });
}

/** Deep equality of two JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

export function statusEqual(a: TenantStatus | undefined, b: TenantStatus): boolean {
  return jsonEqual(a ?? {}, b);
}
