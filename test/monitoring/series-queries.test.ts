import { describe, expect, it } from '@jest/globals';

import {
  builtinVariables,
  dashboardQueries,
  defaultVariableValue,
  interpolate,
  orBranches,
  parseLabelValues,
  ruleQueries,
  stripThresholds,
  unwrapAbsent,
} from '../../monitoring/series-queries.js';

/**
 * The queries test/e2e/monitoring-series.ts sends to the stack's Prometheus: the rewriting must keep the part
 * of each expression that selects series and nothing else.
 */
describe('stripThresholds', () => {
  it('drops comparisons against numbers, whatever the operator', () => {
    expect(stripThresholds('a > 0.01')).toBe('a');
    expect(stripThresholds('up{job="x"} == 0')).toBe('up{job="x"}');
    expect(stripThresholds('x < 7e-1')).toBe('x');
    expect(stripThresholds('x >= bool 1')).toBe('x');
    expect(stripThresholds('max by (ns) (deriv(d[10m])) * 60 > 0\nand\nmax by (ns) (d) > 100')).toBe(
      'max by (ns) (deriv(d[10m])) * 60\nand\nmax by (ns) (d)',
    );
  });

  it('keeps label matchers, strings, ranges and comparisons between vectors', () => {
    expect(stripThresholds('x{code!="5", le=~"0.5"}[5m] offset 1m')).toBe(
      'x{code!="5", le=~"0.5"}[5m] offset 1m',
    );
    expect(stripThresholds('label_replace(x, "a", "> 1", "b", ".*")')).toBe(
      'label_replace(x, "a", "> 1", "b", ".*")',
    );
    expect(stripThresholds('a > b')).toBe('a > b');
    expect(stripThresholds('a > 1a')).toBe('a > 1a');
  });
});

describe('orBranches', () => {
  it('splits top-level or only', () => {
    expect(orBranches('(a or b) / c or absent(d{x="or"})')).toEqual(['(a or b) / c', 'absent(d{x="or"})']);
    expect(orBranches('sum by (namespace, order) (error_total)')).toEqual([
      'sum by (namespace, order) (error_total)',
    ]);
  });
});

describe('unwrapAbsent', () => {
  it('checks the selector absent() watches', () => {
    expect(unwrapAbsent('absent(up{job="a"})')).toBe('up{job="a"}');
    expect(unwrapAbsent('absent(a) + absent(b)')).toBe('absent(a) + absent(b)');
    expect(unwrapAbsent('sum(a)')).toBe('sum(a)');
  });
});

describe('Grafana variables', () => {
  it('are filled in as Grafana does, and a missing one is an error', () => {
    const values = { ...builtinVariables(10800), namespace: 'ns', instance: '.*' };
    expect(interpolate('rate(x{namespace="$namespace", pod=~"${instance}"}[$__rate_interval])', values)).toBe(
      'rate(x{namespace="ns", pod=~".*"}[60s])',
    );
    expect(interpolate('[[namespace]] ${namespace:raw}', values)).toBe('ns ns');
    expect(() => interpolate('x{a="$nope"}', values)).toThrow(/\$nope/);
  });

  it('open with All (its allValue) when offered, else the first value', () => {
    const v = { name: 'pod', query: '', multi: true, includeAll: true };
    expect(defaultVariableValue({ ...v, allValue: '.*' }, ['b', 'a'])).toBe('.*');
    expect(defaultVariableValue(v, ['a.1', 'b'])).toBe('(a\\.1|b)');
    expect(defaultVariableValue({ ...v, includeAll: false }, ['b', 'a'])).toBe('a');
  });

  it('label_values() is read into selector and label', () => {
    expect(parseLabelValues('label_values(up{job="a", x="$y"}, pod)')).toEqual({
      selector: 'up{job="a", x="$y"}',
      label: 'pod',
    });
    expect(parseLabelValues('label_values(namespace)')).toEqual({ label: 'namespace' });
    expect(parseLabelValues('query_result(up)')).toBeUndefined();
  });
});

describe('the repository dashboards and rules', () => {
  it('yield every panel target, variable and rule, none left with a threshold or unknown variable', () => {
    const dashboards = dashboardQueries();
    expect(dashboards.map((d) => d.file)).toEqual(['findash-api.json', 'findash-operator.json']);
    for (const d of dashboards) {
      expect(d.targets.length).toBeGreaterThan(10);
      const values = { ...builtinVariables(d.rangeSeconds), namespace: 'ns', instance: '.*' };
      for (const t of d.targets) expect(interpolate(t.expr, values)).not.toMatch(/\$/);
    }
    const rules = ruleQueries();
    expect(rules.find((r) => r.where === 'alert FindashApiHighErrorRate')?.expr).toBe(
      'findash:http_requests_5xx:ratio_rate5m',
    );
    expect(
      rules.filter((r) => r.where.startsWith('alert FindashOperatorNoLeader')).map((r) => r.expr),
    ).toEqual([
      'sum by (namespace) (leader_election_master_status{name="findash-operator"})',
      'leader_election_master_status{name="findash-operator"}',
    ]);
    for (const r of rules) expect(r.expr).not.toMatch(/[<>]\s*[\d.]+\s*$|==\s*\d/);
  });
});
