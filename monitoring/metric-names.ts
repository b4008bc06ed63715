// Which metric names the alert/recording rules and the Grafana dashboards depend on.
// Used by test/monitoring/rules.test.ts (every name must be documented in METRICS.md) and by the test that
// scrapes a running API and operator (every name must actually be exposed), so a renamed metric breaks a test
// instead of silently emptying a panel or disarming an alert.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const monitoringDir = fileURLToPath(new URL('.', import.meta.url));
export const rulesDir = join(monitoringDir, 'prometheus', 'rules');
export const dashboardsDir = join(monitoringDir, 'grafana', 'dashboards');

/** Series Prometheus synthesises per target; no process exposes them, so metricNamesUsed() leaves them out. */
export const SYNTHETIC_SERIES: ReadonlySet<string> = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

/** Histogram and summary series share their family's name minus these suffixes. */
const SERIES_SUFFIX = /_(bucket|sum|count)$/;

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

export interface RuleFile {
  readonly groups: readonly {
    readonly name: string;
    readonly rules: readonly {
      readonly record?: string;
      readonly alert?: string;
      readonly expr: string;
      readonly for?: string;
      readonly labels?: Readonly<Record<string, string>>;
      readonly annotations?: Readonly<Record<string, string>>;
    }[];
  }[];
}

export function ruleFilePaths(): string[] {
  return readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(rulesDir, f));
}

export function readRuleFile(path: string): RuleFile {
  return parse(readFileSync(path, 'utf8')) as RuleFile;
}

export function dashboardFilePaths(): string[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dashboardsDir, f));
}

/** Every PromQL expression in the rule files. */
export function ruleExpressions(): string[] {
  return ruleFilePaths().flatMap((p) => readRuleFile(p).groups.flatMap((g) => g.rules.map((r) => r.expr)));
}

interface DashboardJson {
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: readonly { readonly type?: string; readonly query?: unknown }[] };
}
interface PanelJson {
  readonly panels?: readonly PanelJson[];
  readonly targets?: readonly { readonly expr?: string }[];
}

/** Every PromQL expression in the committed dashboards: panel targets and query-variable queries. */
export function dashboardExpressions(): string[] {
  const exprs: string[] = [];
  const visit = (panels: readonly PanelJson[] | undefined): void => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.expr !== undefined) exprs.push(t.expr);
      visit(p.panels);
    }
  };
  for (const path of dashboardFilePaths()) {
    const d = JSON.parse(readFileSync(path, 'utf8')) as DashboardJson;
    visit(d.panels);
    for (const v of d.templating?.list ?? []) {
      if (v.type !== 'query') continue;
      if (typeof v.query === 'string') exprs.push(v.query);
      else if (
        typeof v.query === 'object' &&
        v.query !== null &&
        'query' in v.query &&
        typeof v.query.query === 'string'
      ) {
        exprs.push(v.query.query);
      }
    }
  }
  return exprs;
}

/**
 * Metric names referenced by one PromQL expression, as written (with `_bucket` etc.), including recording-rule
 * names. Good enough for the PromQL in this repository: it drops strings, label matchers, ranges, grouping
 * clauses, numbers, durations, keywords and function calls, and reads what is left as metric names. Grafana's
 * `label_values(selector, label)` keeps only its selector.
 */
export function metricNamesIn(expr: string): Set<string> {
  let e = expr
    .replace(/\$\{[^}]*\}|\[\[[^\]]*\]\]|\$\w+/g, ' ') // Grafana variables
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals, so braces inside them go
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  e = e
    .replace(/\blabel_values\s*\(([^,()]*(?:\([^()]*\))?[^,()]*),[^)]*\)/g, ' $1 ')
    .replace(/\blabel_values\s*\([^,)]*\)/g, ' ');
  const names = new Set<string>();
  const token = /[0-9][0-9a-zA-Z_.+-]*|[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g;
  for (const m of e.matchAll(token)) {
    const word = m[0];
    if (/^[0-9]/.test(word) || m[1] !== undefined) continue; // number/duration, or a function call
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return names;
}

/** `http_request_duration_seconds_bucket` → `http_request_duration_seconds`. */
export function baseMetricName(name: string): string {
  return name.replace(SERIES_SUFFIX, '');
}

/**
 * Base names of every metric the rules and dashboards read from the API or the operator: histogram suffixes
 * stripped, recording-rule names (they contain ':') and Prometheus' synthetic series such as `up` left out.
 */
export function metricNamesUsed(): Set<string> {
  const used = new Set<string>();
  for (const expr of [...ruleExpressions(), ...dashboardExpressions()]) {
    for (const name of metricNamesIn(expr)) {
      if (name.includes(':') || SYNTHETIC_SERIES.has(name)) continue;
      used.add(baseMetricName(name));
    }
  }
  return used;
}
