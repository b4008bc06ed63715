import type { Counter } from 'prom-client';

import type { AppMetrics } from './app-metrics.js';

/**
 * A counter for the hottest paths (every cached dashboard): a bump is a plain number
 * increment per label value, added to the prom-client counter when /metrics is rendered, so a
 * scrape is exact and a request pays no label hashing.
 */
export class HotCounter<V extends string> {
  private readonly counts = new Map<V, number>();

  constructor(
    private readonly counter: Counter,
    private readonly label: string,
    metrics: AppMetrics,
  ) {
    metrics.onScrape(async () => this.flush());
  }

  inc(value: V): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }

  flush(): void {
    for (const [value, n] of this.counts) if (n > 0) this.counter.inc({ [this.label]: value }, n);
    this.counts.clear();
  }
}
