import type { OperatorMetrics } from '../metrics.js';

// A per-key work queue in the shape of client-go's workqueue: a key is queued at most once
// (repeated events merge), is never processed by two workers at once (an add during processing
// marks it dirty and it runs again afterwards), failures back off exponentially per key up to a
// cap, and a success resets that key's backoff. Workers are a bounded pool of async loops.

/** What a handler may ask for after a successful pass. */
export type HandlerResult = undefined | { readonly requeueAfterMs?: number };

export type Handler = (key: string) => Promise<HandlerResult>;

export interface WorkQueueOptions {
  readonly name: string;
  readonly concurrency: number;
  /** First retry delay; doubles per consecutive failure of the same key. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly metrics?: OperatorMetrics;
  /** Called with every handler failure (after the retry is scheduled). */
  readonly onError?: (key: string, err: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  private readonly queue = new Set<string>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly idleWaiters: Array<() => void> = [];
  private running = 0;
  private started = false;
  private stopping = false;
  private readonly drained: Array<() => void> = [];

  constructor(
    private readonly handler: Handler,
    private readonly options: WorkQueueOptions,
  ) {
    options.metrics?.maxConcurrentReconciles.set({ controller: options.name }, options.concurrency);
  }

  /** Queues a key now; merges with a queued copy; re-runs once after an in-flight pass. */
  add(key: string): void {
    if (this.stopping) return;
    if (this.processing.has(key)) {
      if (!this.dirty.has(key)) this.options.metrics?.queueAdds.inc({ name: this.options.name });
      this.dirty.add(key);
      return;
    }
    if (this.queue.has(key)) return;
    this.options.metrics?.queueAdds.inc({ name: this.options.name });
    this.queue.add(key);
    this.enqueuedAt.set(key, performance.now());
    this.updateDepth();
    this.pump();
  }

  /** Queues a key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Retries a key after its exponential backoff (base·2^(n−1), capped). Returns the delay. */
  addRateLimited(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = this.backoff(n);
    this.options.metrics?.queueRetries.inc({ name: this.options.name });
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure count (its next failure starts from the base delay again). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  backoff(failures: number): number {
    const exp = Math.min(failures - 1, 40);
    return Math.min(this.options.backoffBaseMs * 2 ** exp, this.options.backoffMaxMs);
  }

  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get depth(): number {
    return this.queue.size;
  }

  get active(): number {
    return this.running;
  }

  isPending(key: string): boolean {
    return this.queue.has(key) || this.processing.has(key) || this.delayed.has(key);
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  /** Resolves when nothing is queued or running (delayed retries may still be waiting). */
  whenIdle(): Promise<void> {
    if (this.queue.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking keys, drops queued and delayed ones, and waits for in-flight handlers. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.clear();
    this.dirty.clear();
    this.updateDepth();
    if (this.running > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private pump(): void {
    if (!this.started || this.stopping) return;
    while (this.running < this.options.concurrency && this.queue.size > 0) {
      const key = this.queue.values().next().value as string;
      this.queue.delete(key);
      this.updateDepth();
      const queuedAt = this.enqueuedAt.get(key);
      this.enqueuedAt.delete(key);
      if (queuedAt !== undefined) {
        this.options.metrics?.queueDuration.observe(
          { name: this.options.name },
          (performance.now() - queuedAt) / 1000,
        );
      }
      this.processing.add(key);
      this.running++;
      this.options.metrics?.activeWorkers.set({ controller: this.options.name }, this.running);
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const m = this.options.metrics;
    const labels = { controller: this.options.name };
    const started = performance.now();
    let result: HandlerResult = undefined;
    let failed = false;
    let error: unknown;
    try {
      result = await this.handler(key);
    } catch (err) {
      failed = true;
      error = err;
    }
    m?.reconcileTime.observe(labels, (performance.now() - started) / 1000);
    this.processing.delete(key);
    this.running--;
    m?.activeWorkers.set(labels, this.running);

    if (!this.stopping) {
      if (failed) {
        m?.reconcileTotal.inc({ ...labels, result: 'error' });
        m?.reconcileErrors.inc(labels);
        const delay = this.addRateLimited(key);
        this.options.onError?.(key, error, delay);
      } else {
        this.forget(key);
        const after = result?.requeueAfterMs;
        if (after !== undefined && after > 0) {
          m?.reconcileTotal.inc({ ...labels, result: 'requeue_after' });
          this.addAfter(key, after);
        } else {
          m?.reconcileTotal.inc({ ...labels, result: 'success' });
        }
      }
      if (this.dirty.delete(key)) this.add(key);
    }

    if (this.running === 0 && this.stopping) {
      for (const resolve of this.drained.splice(0)) resolve();
    }
    this.pump();
    if (this.running === 0 && this.queue.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private updateDepth(): void {
    this.options.metrics?.queueDepth.set({ name: this.options.name }, this.queue.size);
  }
}
