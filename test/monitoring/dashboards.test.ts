import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dashboards, renderDashboard } from '../../monitoring/grafana/src/index.js';
import { dashboardsDir } from '../../monitoring/metric-names.js';

interface Target {
  readonly expr?: string;
  readonly refId?: string;
  readonly datasource?: { readonly uid?: string };
}
interface Panel {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly gridPos?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
  readonly datasource?: { readonly uid?: string };
}
interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly Panel[];
  readonly templating?: { readonly list?: readonly { readonly name: string; readonly type: string }[] };
}

const committed = new Map(
  readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, readFileSync(join(dashboardsDir, f), 'utf8')] as const),
);
const parsed = [...committed.entries()].map(([file, text]) => [file, JSON.parse(text) as Dashboard] as const);

function allPanels(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}
function queryPanels(d: Dashboard): Panel[] {
  return allPanels(d).filter((p) => p.type !== 'row');
}
function titles(file: string): string[] {
  const d = parsed.find(([f]) => f === file)?.[1];
  return d === undefined ? [] : queryPanels(d).map((p) => p.title ?? '');
}

describe('Grafana dashboards', () => {
  it('committed JSON is what npm run monitoring:build generates', () => {
    const generated = dashboards();
    expect([...committed.keys()].sort()).toEqual([...generated.keys()].sort());
    for (const [file, model] of generated) {
      // A failure here means src/ changed without `npm run monitoring:build`.
      expect(committed.get(file)).toBe(renderDashboard(model));
    }
  });

  it.each(parsed.map(([file]) => [file]))('%s has a uid, a title and unique panel ids', (file) => {
    const d = parsed.find(([f]) => f === file)![1];
    expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(d.title).toMatch(/^findash /);
    const ids = allPanels(d).map((p) => p.id);
    expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uids and titles are unique across dashboards', () => {
    const uids = parsed.map(([, d]) => d.uid);
    const names = parsed.map(([, d]) => d.title);
    expect(new Set(uids).size).toBe(parsed.length);
    expect(new Set(names).size).toBe(parsed.length);
  });

  it.each(parsed.map(([file]) => [file]))(
    '%s: every panel has a query against the selected data source',
    (file) => {
      const d = parsed.find(([f]) => f === file)![1];
      const panels = queryPanels(d);
      expect(panels.length).toBeGreaterThan(5);
      for (const p of panels) {
        expect({ panel: p.title, hasQuery: (p.targets ?? []).length > 0 }).toEqual({
          panel: p.title,
          hasQuery: true,
        });
        expect(p.datasource?.uid).toBe('${datasource}');
        for (const t of p.targets ?? []) {
          expect(t.expr?.trim()).toBeTruthy();
          expect(t.refId).toMatch(/^[A-Z]$/);
          expect(t.datasource?.uid).toBe('${datasource}');
        }
      }
    },
  );

  it.each(parsed.map(([file]) => [file]))('%s: panels fit the 24-column grid without overlapping', (file) => {
    const d = parsed.find(([f]) => f === file)![1];
    const boxes = allPanels(d).map((p) => ({ title: p.title, ...p.gridPos! }));
    for (const b of boxes) expect(b.x + b.w).toBeLessThanOrEqual(24);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect({ a: a.title, b: b.title, overlap }).toEqual({ a: a.title, b: b.title, overlap: false });
      }
    }
  });

  it.each(parsed.map(([file]) => [file]))(
    '%s offers data source, namespace and instance (pod) variables',
    (file) => {
      const d = parsed.find(([f]) => f === file)![1];
      const vars = (d.templating?.list ?? []).map((v) => `${v.name}:${v.type}`);
      expect(vars).toEqual(['datasource:datasource', 'namespace:query', 'instance:query']);
      const exprs = queryPanels(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
      expect(exprs.every((e) => e.includes('namespace="$namespace"'))).toBe(true);
    },
  );

  it('the API dashboard has the panels of the seed monitoring dashboard', () => {
    const t = titles('findash-api.json');
    for (const wanted of [
      'Request rate',
      'p95 response time',
      'Error rate',
      'Cache hit ratio',
      'CPU',
      'Memory',
      'Event-loop lag',
      'DB connections (pool)',
      'Slow queries',
      'DB size',
      'Lock waits',
      'Active users',
      'Dashboard views',
      'API calls / minute',
      'Active tenants',
      'Outbox depth',
      'Outbox publishing',
      'Memcached circuit breaker',
    ]) {
      expect(t).toContain(wanted);
    }
  });

  it('the operator dashboard shows reconciles, queue, leadership, tenants and watches', () => {
    const t = titles('findash-operator.json');
    for (const wanted of [
      'Reconcile rate by result',
      'Reconcile errors',
      'Reconcile duration',
      'Queue depth',
      'Adds and retries',
      'Leader',
      'Leader by pod',
      'Tenants by phase',
      'Watch restarts',
    ]) {
      expect(t).toContain(wanted);
    }
  });

  describe('queries', () => {
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'findash-dashboards-'));
    });
    afterAll(() => {
      rmSync(scratch, { recursive: true, force: true });
    });

    it('are valid PromQL once Grafana substitutes its variables (checked by promtool)', async () => {
      const substitute = (e: string): string =>
        e
          .replaceAll('$__rate_interval', '1m')
          .replaceAll('$namespace', 'findash')
          .replaceAll('$instance', '.*');
      const exprs = parsed.flatMap(([, d]) =>
        queryPanels(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
      );
      const file = join(scratch, 'dashboard-queries.yaml');
      writeFileSync(
        file,
        stringify({
          groups: [
            {
              name: 'dashboard-queries',
              rules: exprs.map((e, i) => ({ record: `dashboard:query:${i}`, expr: substitute(e) })),
            },
          ],
        }),
      );
      const output = await new Promise<{ code: number; text: string }>((resolve) => {
        execFile(
          process.env.PROMTOOL ?? '/usr/bin/promtool',
          ['check', 'rules', file],
          (error, stdout, stderr) => {
            resolve({ code: error === null ? 0 : 1, text: stdout + stderr });
          },
        );
      });
      expect(output.text).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(output.code).toBe(0);
    });
  });
});
