/** A dependency's state: `down` on a critical check makes the service unhealthy (503). */
export interface CheckResult {
  readonly status: 'up' | 'degraded' | 'down';
  readonly detail?: string;
  readonly latency_ms?: number;
}

export interface HealthCheck {
  readonly name: string;
  /** Critical dependencies (PostgreSQL) make /health and /health/ready fail when down. */
  readonly critical: boolean;
  run(): Promise<CheckResult>;
}

/** What /health reports: healthy unless a critical check is down, and each check's result. */
export interface HealthReport {
  readonly healthy: boolean;
  readonly degraded: boolean;
  readonly checks: Record<string, CheckResult>;
}

const CHECK_TIMEOUT_MS = 2000;

async function timed(check: HealthCheck): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      check.run(),
      new Promise<CheckResult>((resolve) => {
        timer = setTimeout(
          () => resolve({ status: 'down', detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { ...result, latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      detail: (error as Error).message,
      latency_ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Every check, run at once, each within its timeout: healthy unless a critical one is down. */
export async function runHealthChecks(checks: readonly HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(checks.map(async (c) => [c, await timed(c)] as const));
  const healthy = results.every(([c, r]) => !c.critical || r.status !== 'down');
  const degraded = results.some(([, r]) => r.status !== 'up');
  return { healthy, degraded, checks: Object.fromEntries(results.map(([c, r]) => [c.name, r])) };
}
