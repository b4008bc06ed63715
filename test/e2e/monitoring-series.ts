/**
 * Every PromQL expression of the Grafana dashboards and the Prometheus rules selects series in the stack's real
 * Prometheus after the run's traffic (issue #15.3): a panel whose query selects nothing can only say "No data",
 * and an alert whose expression selects nothing can never fire.
 *
 * Dashboard queries are sent as Grafana sends them: query variables resolved from Prometheus (label_values) to
 * the value the dashboard opens with, built-ins ($__rate_interval, $__interval, $__range) as Grafana computes
 * them for the dashboard's time range. Rules are sent with their threshold comparisons stripped (the part that
 * selects series; a healthy stack should not be firing), one query per top-level `or` branch, and absent(sel)
 * as sel. Expressions that need series only Kubernetes has are listed, with the reason, in
 * monitoring-series-exceptions.yaml; an exception that is no longer needed fails the check too.
 *
 * Also runnable on its own against any Prometheus: `npx tsx test/e2e/monitoring-series.ts http://127.0.0.1:9090`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

import {
  builtinVariables,
  dashboardQueries,
  defaultVariableValue,
  interpolate,
  normalizeExpr,
  parseLabelValues,
  ruleQueries,
  type DashboardQueries,
  type SeriesQuery,
} from '../../monitoring/series-queries.js';
import { Report } from './report.js';

interface Exception {
  readonly where: string;
  readonly expr: string;
  readonly reason: string;
}

const EXCEPTIONS_FILE = new URL('./monitoring-series-exceptions.yaml', import.meta.url);

function readExceptions(): Exception[] {
  const list = parse(readFileSync(EXCEPTIONS_FILE, 'utf8')) as Exception[] | null;
  for (const e of list ?? []) {
    if (!e.expr || !e.reason)
      throw new Error(`monitoring-series-exceptions.yaml: entry without expr or reason`);
  }
  return list ?? [];
}

interface Outcome {
  readonly query: SeriesQuery;
  /** What was sent. */
  readonly sent: string;
  readonly series: number;
  readonly error?: string;
}

class Prometheus {
  constructor(private readonly url: string) {}

  private async get(path: string, params: URLSearchParams): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      body: params,
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { status?: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${response.status}`);
    return body.data;
  }

  /** How many series (or a scalar/string: 1) an instant query returns now. */
  async seriesCount(query: string): Promise<number> {
    const data = (await this.get('/api/v1/query', new URLSearchParams({ query }))) as {
      resultType: string;
      result: unknown;
    };
    return Array.isArray(data.result) ? data.result.length : 1;
  }

  /** Grafana's label_values(selector, label) over the dashboard's range. */
  async labelValues(label: string, selector: string | undefined, rangeSeconds: number): Promise<string[]> {
    const now = Date.now() / 1000;
    const params = new URLSearchParams({ start: String(now - rangeSeconds), end: String(now) });
    if (selector !== undefined) params.append('match[]', selector);
    const response = await fetch(
      `${this.url}/api/v1/label/${encodeURIComponent(label)}/values?${params.toString()}`,
      {
        signal: AbortSignal.timeout(10_000),
      },
    );
    const body = (await response.json()) as { status?: string; data?: string[]; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${response.status}`);
    return body.data ?? [];
  }
}

/** Resolves a dashboard's variables (each one is a checked query too), then runs its panel targets. */
async function runDashboard(prometheus: Prometheus, d: DashboardQueries): Promise<Outcome[]> {
  const values: Record<string, string> = builtinVariables(d.rangeSeconds);
  const outcomes: Outcome[] = [];
  for (const v of d.variables) {
    const query: SeriesQuery = { file: d.file, where: `variable $${v.name}`, expr: v.query };
    try {
      const parsed = parseLabelValues(v.query);
      if (!parsed) throw new Error(`not a label_values() query`);
      const selector = parsed.selector === undefined ? undefined : interpolate(parsed.selector, values);
      const found = await prometheus.labelValues(parsed.label, selector, d.rangeSeconds);
      const value = found.length > 0 ? defaultVariableValue(v, found) : undefined;
      if (value !== undefined) values[v.name] = value;
      outcomes.push({ query, sent: interpolate(v.query, values), series: found.length });
    } catch (error) {
      outcomes.push({ query, sent: v.query, series: 0, error: String(error) });
    }
  }
  outcomes.push(...(await runAll(prometheus, d.targets, values)));
  return outcomes;
}

async function runAll(
  prometheus: Prometheus,
  queries: readonly SeriesQuery[],
  values: Readonly<Record<string, string>>,
): Promise<Outcome[]> {
  return Promise.all(
    queries.map(async (query): Promise<Outcome> => {
      let sent = query.expr;
      try {
        sent = interpolate(query.expr, values);
        return { query, sent, series: await prometheus.seriesCount(sent) };
      } catch (error) {
        return { query, sent, series: 0, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

/** Runs every query and reports one check per dashboard or rule file, and one on the exceptions list. */
export async function monitoringSeries(report: Report, prometheusUrl: string): Promise<void> {
  if (report.aborted) return;
  report.step("monitoring: every dashboard query and alert rule selects series in the stack's Prometheus");
  const started = Date.now();
  const prometheus = new Prometheus(prometheusUrl.replace(/\/$/, ''));
  let exceptions: Exception[];
  let outcomes: Outcome[];
  try {
    exceptions = readExceptions();
    const dashboards = await Promise.all(dashboardQueries().map((d) => runDashboard(prometheus, d)));
    outcomes = [...dashboards.flat(), ...(await runAll(prometheus, ruleQueries(), {}))];
  } catch (error) {
    report.check('monitoring queries select series', false, String(error));
    return;
  }
  const excepted = new Map(exceptions.map((e) => [normalizeExpr(e.expr), e]));
  const used = new Set<string>();
  const files = [...new Set(outcomes.map((o) => o.query.file))];
  for (const file of files) {
    const mine = outcomes.filter((o) => o.query.file === file);
    const empty: Outcome[] = [];
    let skipped = 0;
    for (const o of mine) {
      const exception = excepted.get(normalizeExpr(o.query.expr));
      if (exception && o.series === 0 && o.error === undefined) {
        used.add(normalizeExpr(o.query.expr));
        skipped += 1;
        report.info(`excepted: ${file} ${o.query.where}: ${exception.reason}`);
        continue;
      }
      if (exception) used.add(normalizeExpr(o.query.expr)); // it answered: the exception is stale (below)
      if (o.series === 0) empty.push(o);
    }
    for (const o of empty) {
      report.info(`no series: ${file} ${o.query.where}: ${o.error ?? 'empty'} ← ${normalizeExpr(o.sent)}`);
    }
    const answered = mine.length - empty.length - skipped;
    report.check(
      `${file}: every query selects series`,
      empty.length === 0,
      `${answered} of ${mine.length} select series` +
        (skipped > 0 ? `, ${skipped} excepted (Kubernetes-only series)` : '') +
        (empty.length > 0 ? `; none from: ${empty.map((o) => o.query.where).join('; ')}` : ''),
    );
  }
  const stale = exceptions.filter((e) => {
    const key = normalizeExpr(e.expr);
    if (!used.has(key)) return true; // no such expression any more
    return outcomes.some((o) => normalizeExpr(o.query.expr) === key && o.series > 0);
  });
  const total = outcomes.length;
  const withSeries = outcomes.filter((o) => o.series > 0).length;
  report.check(
    'monitoring-series-exceptions.yaml lists only expressions that still need it',
    stale.length === 0,
    stale.length === 0
      ? `${exceptions.length} exceptions; ${withSeries} of ${total} queries select series, in ${((Date.now() - started) / 1000).toFixed(1)} s`
      : `stale (the expression is gone or selects series now): ${stale.map((e) => e.where).join('; ')}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2] ?? process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090';
  const report = new Report();
  await monitoringSeries(report, url);
  console.log(report.summary());
  process.exitCode = report.failed === 0 ? 0 : 1;
}
