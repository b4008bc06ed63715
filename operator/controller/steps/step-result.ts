import type { ConditionInput } from '../conditions.js';

/** The outcome of one side effect: its condition, and what the pass should do about it. */
export interface StepResult {
  readonly ok: boolean;
  readonly condition: ConditionInput;
  /** Retrying will likely fix it (API server or database trouble). */
  readonly retry: boolean;
  readonly failure?: string;
  readonly waitMs?: number;
}

export function failedStep(
  type: ConditionInput['type'],
  reason: string,
  message: string,
  retry: boolean,
): StepResult {
  return { ok: false, retry, failure: message, condition: { type, status: 'False', reason, message } };
}

/** Not failed: held up by another step, whose own condition says why. */
export function waitingStep(type: ConditionInput['type'], reason: string, message: string): StepResult {
  return { ok: false, retry: false, condition: { type, status: 'False', reason, message } };
}

export function readyStep(type: ConditionInput['type'], reason: string, message: string): StepResult {
  return { ok: true, retry: false, condition: { type, status: 'True', reason, message } };
}
