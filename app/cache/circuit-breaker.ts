/**
 * A circuit breaker for one dependency. Closed: calls go through and consecutive failures are
 * counted. After `failureThreshold` of them it opens: calls fail at once (no socket, no timeout
 * to wait for) for `cooldownMs`. Then it is half-open: one probe call goes through while the
 * others still fail fast; the probe's success closes it, its failure opens it again.
 *
 * The numeric states match the findash_circuit_breaker_state gauge (0 closed, 1 open, 2 half-open).
 */
export const BreakerState = { closed: 0, open: 1, halfOpen: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export class CircuitOpenError extends Error {
  constructor(readonly dependency: string) {
    super(`${dependency} circuit is open`);
    this.name = 'CircuitOpenError';
  }
}

export interface BreakerOptions {
  readonly name: string;
  readonly failureThreshold?: number;
  readonly cooldownMs: number;
  readonly onStateChange?: (state: BreakerState, previous: BreakerState) => void;
  readonly now?: () => number;
}

export class CircuitBreaker {
  private current: BreakerState = BreakerState.closed;
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private readonly threshold: number;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === BreakerState.open && this.now() - this.openedAt >= this.options.cooldownMs) {
      this.transition(BreakerState.halfOpen);
    }
    return this.current;
  }

  /** Runs `call` unless the circuit is open; records its outcome. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === BreakerState.open || (state === BreakerState.halfOpen && this.probing)) {
      throw new CircuitOpenError(this.options.name);
    }
    const probe = state === BreakerState.halfOpen;
    if (probe) this.probing = true;
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (error) {
      this.failed();
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.current !== BreakerState.closed) this.transition(BreakerState.closed);
  }

  private failed(): void {
    this.failures += 1;
    if (this.current === BreakerState.halfOpen || this.failures >= this.threshold) {
      this.openedAt = this.now();
      if (this.current !== BreakerState.open) this.transition(BreakerState.open);
    }
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
