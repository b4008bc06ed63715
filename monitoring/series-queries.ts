// The queries the Grafana dashboards and the Prometheus rules make, in the form a check can send to a real
// Prometheus to prove each one selects series (test/e2e/monitoring-series.ts): a panel whose query selects
// nothing can only say "No data", and an alert whose expression selects nothing can never fire.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { dashboardFilePaths, readRuleFile, ruleFilePaths } from './metric-names.js';

/** One expression to send to Prometheus, and where it comes from. */
export interface SeriesQuery {
  /** File name: `findash-api.json`, `api-alerts.yaml`. */
  readonly file: string;
  /** Where in the file, for a person: `panel 9 "Error rate" (B)`, `alert FindashHighCpu, branch 1 of 2`. */
  readonly where: string;
  /** The expression as the file has it (for rules: with its threshold stripped); exceptions name this text. */
  readonly expr: string;
}

/** A dashboard's query variable, resolved from Prometheus the way Grafana resolves it. */
export interface DashboardVariable {
  readonly name: string;
  readonly query: string;
  readonly multi: boolean;
  readonly includeAll: boolean;
  readonly allValue?: string;
}

export interface DashboardQueries {
  readonly file: string;
  /** The dashboard's time range in seconds (`now-3h` → 10800), for `$__range`. */
  readonly rangeSeconds: number;
  /** Query variables in declaration order: a later one may use an earlier one (`$namespace` in `$instance`). */
  readonly variables: readonly DashboardVariable[];
  readonly targets: readonly SeriesQuery[];
}

interface VariableJson {
  readonly type?: string;
  readonly name?: string;
  readonly query?: unknown;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
}
interface TargetJson {
  readonly expr?: string;
  readonly refId?: string;
}
interface PanelJson {
  readonly id?: number;
  readonly title?: string;
  readonly panels?: readonly PanelJson[];
  readonly targets?: readonly TargetJson[];
}
interface DashboardJson {
  readonly time?: { readonly from?: string };
  readonly panels?: readonly PanelJson[];
  readonly templating?: { readonly list?: readonly VariableJson[] };
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Every panel target and query variable of the committed dashboards. */
export function dashboardQueries(paths: readonly string[] = dashboardFilePaths()): DashboardQueries[] {
  return paths.map((path) => {
    const d = JSON.parse(readFileSync(path, 'utf8')) as DashboardJson;
    const file = basename(path);
    const targets: SeriesQuery[] = [];
    const visit = (panels: readonly PanelJson[] | undefined): void => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? []) {
          if (t.expr !== undefined) {
            const where = `panel ${String(p.id ?? '?')} "${p.title ?? ''}" (${t.refId ?? '?'})`;
            targets.push({ file, where, expr: t.expr });
          }
        }
        visit(p.panels);
      }
    };
    visit(d.panels);
    const variables = (d.templating?.list ?? [])
      .filter((v) => v.type === 'query')
      .map((v): DashboardVariable => {
        const query =
          typeof v.query === 'string'
            ? v.query
            : typeof v.query === 'object' && v.query !== null && 'query' in v.query
              ? String(v.query.query)
              : '';
        return {
          name: v.name ?? '',
          query,
          multi: v.multi === true,
          includeAll: v.includeAll === true,
          ...(v.allValue === undefined ? {} : { allValue: v.allValue }),
        };
      });
    const from = /^now-(\d+)([smhdw])$/.exec(d.time?.from ?? 'now-6h');
    const rangeSeconds = from?.[1] && from[2] ? Number(from[1]) * (UNIT_SECONDS[from[2]] ?? 0) : 21600;
    return { file, rangeSeconds, variables, targets };
  });
}

/**
 * Grafana's built-in interval variables for a panel of the given range. The data source's scrape interval is
 * Grafana's default (15 s), which is also $__interval's floor; a panel about 1000 px wide gets a point per
 * range/1000, so for the dashboards' few hours $__interval is that floor, and $__rate_interval is
 * max($__interval + scrape interval, 4 × scrape interval) = 1m, as Grafana computes it.
 */
export function builtinVariables(rangeSeconds: number): Record<string, string> {
  const scrape = 15;
  const interval = Math.max(scrape, Math.round(rangeSeconds / 1000));
  const rateInterval = Math.max(interval + scrape, 4 * scrape);
  return {
    __interval: `${interval}s`,
    __interval_ms: String(interval * 1000),
    __rate_interval: `${rateInterval}s`,
    __range: `${rangeSeconds}s`,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000),
  };
}

/** `label_values(up{job="x"}, namespace)` → its selector and label (selector undefined for `label_values(l)`). */
export function parseLabelValues(query: string): { selector?: string; label: string } | undefined {
  const m = /^\s*label_values\s*\(\s*(?:([\s\S]*\S)\s*,\s*)?([a-zA-Z_]\w*)\s*\)\s*$/.exec(query);
  if (!m?.[2]) return undefined;
  return m[1] === undefined ? { label: m[2] } : { selector: m[1], label: m[2] };
}

/** The value Grafana puts in place of a variable when the dashboard opens: All when offered, else the first. */
export function defaultVariableValue(
  variable: DashboardVariable,
  values: readonly string[],
): string | undefined {
  if (variable.includeAll) return variable.allValue ?? `(${values.map(escapeRegex).join('|')})`;
  return [...values].sort()[0];
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

/**
 * Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` as Grafana does; a variable missing from
 * `values` is an error, so a new variable cannot go unchecked.
 */
export function interpolate(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(
    /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g,
    (whole, a?: string, b?: string, c?: string) => {
      const name = a ?? b ?? c ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`no value for Grafana variable ${whole} in ${expr}`);
      return value;
    },
  );
}

/**
 * For each character of a PromQL expression: whether it is code (not inside a string, a label matcher `{…}` or a
 * range `[…]`), and how many parentheses enclose it (a parenthesis itself counts as outside).
 */
function codeMap(expr: string): { code: boolean[]; depth: number[] } {
  const code: boolean[] = [];
  const depth: number[] = [];
  let quote: string | undefined;
  let braces = 0;
  let brackets = 0;
  let parens = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i] ?? '';
    let isCode = false;
    if (quote !== undefined) {
      if (ch === '\\' && quote !== '`') {
        code.push(false, false);
        depth.push(parens, parens);
        i++;
        continue;
      }
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
    } else if (ch === '{') {
      braces++;
    } else if (ch === '}') {
      braces--;
    } else if (ch === '[') {
      brackets++;
    } else if (ch === ']') {
      brackets--;
    } else if (braces === 0 && brackets === 0) {
      isCode = true;
      if (ch === ')') parens--;
    }
    code.push(isCode);
    depth.push(parens);
    if (isCode && ch === '(') parens++;
  }
  return { code, depth };
}

const THRESHOLD =
  /^\s*(?:==|!=|>=|<=|>|<)\s*(?:bool\s+)?[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])/;

/**
 * An alert expression less its threshold comparisons against numbers (`x > 0.8` → `x`, `a > 0 and b > 100` →
 * `a and b`): what is left selects the series the alert watches, which a healthy system has but does not fire on.
 * Comparisons between two vectors are kept (they select series themselves).
 */
export function stripThresholds(expr: string): string {
  const { code } = codeMap(expr);
  let out = '';
  for (let i = 0; i < expr.length;) {
    const match = code[i] && /[\s=!<>]/.test(expr[i] ?? '') ? THRESHOLD.exec(expr.slice(i)) : null;
    if (match) {
      i += match[0].length;
      continue;
    }
    out += expr[i] ?? '';
    i++;
  }
  return out.trim();
}

/** The operands of top-level `or`s: each is a way for the alert to fire, so each must be able to select series. */
export function orBranches(expr: string): string[] {
  const { code, depth } = codeMap(expr);
  const branches: string[] = [];
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    if (
      code[i] &&
      depth[i] === 0 &&
      /^or\b/i.test(expr.slice(i, i + 3)) &&
      (i === 0 || /[\s)]/.test(expr[i - 1] ?? ''))
    ) {
      branches.push(expr.slice(start, i).trim());
      start = i + 2;
    }
  }
  branches.push(expr.slice(start).trim());
  return branches.filter(Boolean);
}

/**
 * `absent(sel)` selects a series exactly when `sel` selects none, so on a healthy system the part to prove is
 * `sel`: a selector that never matches would keep the alert firing for ever.
 */
export function unwrapAbsent(expr: string): string {
  const m = /^absent\s*\(([\s\S]*)\)$/.exec(expr.trim());
  if (!m?.[1]) return expr;
  const { code, depth } = codeMap(m[1]);
  const balanced = depth.every((d, i) => d >= 0 || !code[i]);
  return balanced ? m[1].trim() : expr;
}

/** Every rule of the rule files, thresholds stripped, one query per top-level `or` branch. */
export function ruleQueries(paths: readonly string[] = ruleFilePaths()): SeriesQuery[] {
  return paths.flatMap((path) => {
    const file = basename(path);
    return readRuleFile(path).groups.flatMap((group) =>
      group.rules.flatMap((rule) => {
        const name = rule.alert === undefined ? `record ${rule.record ?? '?'}` : `alert ${rule.alert}`;
        const branches = orBranches(stripThresholds(rule.expr)).map(unwrapAbsent);
        return branches.map((expr, i) => ({
          file,
          where: branches.length > 1 ? `${name}, branch ${i + 1} of ${branches.length}` : name,
          expr,
        }));
      }),
    );
  });
}

/** Whitespace-insensitive form of an expression, to match exceptions against. */
export function normalizeExpr(expr: string): string {
  return expr.replace(/\s+/g, ' ').trim();
}
