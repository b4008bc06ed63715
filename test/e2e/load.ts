import type { HttpClient } from './http-client.js';

/**
 * Closed-loop load through the load balancer: `connections` clients, each sending its next
 * request as soon as the previous one is answered, until stop(). A request fails when it gets
 * no HTTP answer or a status outside 2xx.
 */
export interface LoadResult {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
  readonly staleRetries: number;
  readonly seconds: number;
  readonly avgMs: number;
}

export interface RunningLoad {
  stop(): Promise<LoadResult>;
  /** Requests answered so far. */
  count(): number;
}

export function startLoad(options: {
  client: HttpClient;
  path: string;
  token?: string;
  connections: number;
}): RunningLoad {
  let stopped = false;
  let total = 0;
  let ok = 0;
  let totalMs = 0;
  const statuses: Record<string, number> = {};
  const errors: string[] = [];
  const retriesBefore = options.client.staleRetries;
  const started = performance.now();

  async function worker(): Promise<void> {
    while (!stopped) {
      total += 1;
      try {
        const response = await options.client.get(options.path, options.token);
        totalMs += response.ms;
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status >= 200 && response.status < 300) ok += 1;
        else if (errors.length < 10) errors.push(`${response.status} ${response.text.slice(0, 120)}`);
      } catch (error) {
        statuses.error = (statuses.error ?? 0) + 1;
        if (errors.length < 10) errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  }

  const workers = Array.from({ length: options.connections }, () => worker());
  return {
    count: () => total,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      const seconds = (performance.now() - started) / 1000;
      return {
        total,
        ok,
        failed: total - ok,
        statuses,
        errors,
        staleRetries: options.client.staleRetries - retriesBefore,
        seconds,
        avgMs: ok > 0 ? totalMs / total : 0,
      };
    },
  };
}

export function describeLoad(r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  return (
    `${r.total} requests in ${r.seconds.toFixed(1)} s (${Math.round(r.total / r.seconds)} req/s, avg ${r.avgMs.toFixed(1)} ms), ` +
    `${r.failed} failed [${statuses}]` +
    (r.staleRetries > 0 ? `, ${r.staleRetries} stale keep-alive retries` : '') +
    (r.errors.length > 0 ? `; first errors: ${r.errors.slice(0, 3).join(' | ')}` : '')
  );
}
