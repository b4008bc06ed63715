import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { repoRoot } from '../harness/repo-root.js';

/**
 * The rules of Grafana's dashboard-linter (github.com/grafana/dashboard-linter), applied to every generated
 * dashboard (issue #15.3). The Go module is not served by the module proxy this project can reach (no version
 * listed, v0.1.1 refused), so its rules run here, each named as the linter names it:
 * template-datasource-rule, panel-datasource-rule, panel-title-description-rule, panel-units-rule,
 * target-rate-interval-rule, target-instance-rule, template-instance-rule, template-label-promql-rule (the
 * variables' own queries), and target-counter-agg-rule. Reviewed exception: template-job-rule/target-job-rule
 * (a $job variable). Every findash metric comes from one scrape job per component (the ServiceMonitors rename
 * it findash-api / findash-operator); the dashboards are scoped by $namespace and $instance (the pod) instead,
 * which select the same series without a variable that could only ever have one value. PromQL validity of
 * every target is checked by promtool in dashboards.test.ts.
 */
interface Target {
  expr: string;
}
interface Panel {
  type: string;
  title?: string;
  description?: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown; datasource?: { uid: string } }[] };
}

const dir = path.join(repoRoot(), 'monitoring', 'grafana', 'dashboards');
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Dashboard] as const);
const panelsOf = (d: Dashboard) => d.panels.filter((p) => p.type !== 'row');

describe.each(dashboards)('%s follows dashboard-linter', (_file, dashboard) => {
  it('template-datasource-rule: a Prometheus datasource variable named datasource', () => {
    const ds = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(ds).toMatchObject({ name: 'datasource', query: 'prometheus' });
  });

  it('template-instance-rule and template-label-promql-rule: $instance and $namespace from label_values()', () => {
    for (const name of ['namespace', 'instance']) {
      const variable = dashboard.templating.list.find((v) => v.name === name);
      expect(variable?.type).toBe('query');
      expect(JSON.stringify(variable?.query)).toMatch(/label_values\(/);
      expect(variable?.datasource?.uid).toBe('${datasource}');
    }
  });

  it('panel-datasource-rule: every panel queries the templated datasource', () => {
    for (const panel of panelsOf(dashboard)) {
      expect({ panel: panel.title, ds: panel.datasource }).toEqual({
        panel: panel.title,
        ds: { type: 'prometheus', uid: '${datasource}' },
      });
    }
  });

  it('panel-title-description-rule and panel-units-rule: a title, a description and a unit on every panel', () => {
    for (const panel of panelsOf(dashboard)) {
      expect(panel.title).toBeTruthy();
      expect({ panel: panel.title, description: Boolean(panel.description) }).toEqual({
        panel: panel.title,
        description: true,
      });
      expect({ panel: panel.title, unit: Boolean(panel.fieldConfig?.defaults?.unit) }).toEqual({
        panel: panel.title,
        unit: true,
      });
    }
  });

  it('target-rate-interval-rule: rate() and increase() over $__rate_interval', () => {
    for (const panel of panelsOf(dashboard)) {
      for (const t of panel.targets ?? []) {
        for (const m of t.expr.matchAll(/\b(?:rate|irate|increase)\([^[]*\[([^\]]+)\]/g)) {
          expect({ panel: panel.title, window: m[1] }).toEqual({
            panel: panel.title,
            window: '$__rate_interval',
          });
        }
      }
    }
  });

  it('target-instance-rule: every selector is scoped to $namespace and $instance (or a recording rule of them)', () => {
    for (const panel of panelsOf(dashboard)) {
      for (const t of panel.targets ?? []) {
        for (const m of t.expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)) {
          expect({
            panel: panel.title,
            selector: m[0],
            namespaced: m[2]!.includes('namespace="$namespace"'),
          }).toEqual({ panel: panel.title, selector: m[0], namespaced: true });
        }
      }
    }
  });

  it('target-counter-agg-rule: counters are never shown raw, only through rate() or increase()', () => {
    for (const panel of panelsOf(dashboard)) {
      for (const t of panel.targets ?? []) {
        for (const m of t.expr.matchAll(/(\w*)\(?\s*([a-z_:]+_total)\{/g)) {
          expect({
            panel: panel.title,
            counter: m[2],
            fn: ['rate', 'increase', 'irate'].includes(m[1]!),
          }).toEqual({
            panel: panel.title,
            counter: m[2],
            fn: true,
          });
        }
      }
    }
  });
});

describe('API dashboard, issue #17.11', () => {
  it('never sums per-pod distinct-user counts (a user on several pods would count several times)', () => {
    const api = dashboards.find(([f]) => f === 'findash-api.json')![1];
    const exprs = panelsOf(api).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const users = exprs.filter((e) => e.includes('findash_active_users'));
    expect(users.length).toBeGreaterThan(0);
    for (const e of users) expect(e).not.toMatch(/\bsum\b/);
  });
});
