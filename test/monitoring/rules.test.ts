import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import {
  baseMetricName,
  metricNamesIn,
  metricNamesUsed,
  readRuleFile,
  ruleFilePaths,
  rulesDir,
} from '../../monitoring/metric-names.js';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const monitoringDir = fileURLToPath(new URL('../../monitoring/', import.meta.url));
const testsDir = join(monitoringDir, 'prometheus', 'tests');
const runbook = readFileSync(join(monitoringDir, 'RUNBOOK.md'), 'utf8');
const metricsDoc = readFileSync(join(monitoringDir, 'METRICS.md'), 'utf8');

interface Run {
  readonly code: number;
  readonly output: string;
}

function promtool(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: monitoringDir }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const rules = ruleFilePaths().flatMap((p) => readRuleFile(p).groups.flatMap((g) => g.rules));
const alerts: AlertRule[] = rules.flatMap((r) => (r.alert === undefined ? [] : [{ ...r, alert: r.alert }]));
const records = rules.flatMap((r) => (r.record === undefined ? [] : [r.record]));
const testFiles = readdirSync(testsDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(testsDir, f));

interface UnitTestFile {
  readonly tests: readonly {
    readonly alert_rule_test?: readonly {
      readonly alertname: string;
      readonly exp_alerts?: readonly unknown[] | null;
    }[];
    readonly promql_expr_test?: readonly { readonly expr: string }[];
  }[];
}
const unitTests = testFiles.map((f) => parse(readFileSync(f, 'utf8')) as UnitTestFile);

/** GitHub's anchor for a Markdown heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}
const runbookAnchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));

describe('Prometheus rules', () => {
  beforeAll(() => {
    if (!existsSync(PROMTOOL)) {
      throw new Error(
        `${PROMTOOL} not found: install it with 'apt-get install prometheus' (or set PROMTOOL)`,
      );
    }
  });

  it('pass promtool check rules', async () => {
    const run = await promtool('check', 'rules', ...ruleFilePaths());
    expect(run.output).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
    expect(run.output.match(/SUCCESS/g)).toHaveLength(ruleFilePaths().length);
  });

  it('pass their promtool unit tests', async () => {
    expect(testFiles.length).toBeGreaterThanOrEqual(4);
    const run = await promtool('test', 'rules', ...testFiles);
    expect(run.output).not.toMatch(/FAILED/);
    expect(run.code).toBe(0);
  });

  it('are loaded by the local prometheus.yml, which promtool accepts', async () => {
    const run = await promtool('check', 'config', join(monitoringDir, 'prometheus', 'prometheus.yml'));
    expect(run.code).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${ruleFilePaths().length} rule files found`);
  });

  describe('promtool unit tests', () => {
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'findash-promtool-'));
    });
    afterAll(() => {
      rmSync(scratch, { recursive: true, force: true });
    });

    it('fail when an expected annotation is wrong, so their passing means something', async () => {
      const source = parse(readFileSync(join(testsDir, 'api-alerts.yaml'), 'utf8')) as {
        rule_files: string[];
        tests: { alert_rule_test?: { exp_alerts?: { exp_annotations?: Record<string, string> }[] }[] }[];
      };
      source.rule_files = source.rule_files.map((f) => join(testsDir, f));
      const firing = source.tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .flatMap((a) => a.exp_alerts ?? [])
        .find((a) => a.exp_annotations?.description !== undefined);
      firing!.exp_annotations!.description = `${firing!.exp_annotations!.description} (tampered)`;
      const path = join(scratch, 'tampered.yaml');
      writeFileSync(path, stringify(source));
      const run = await promtool('test', 'rules', path);
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/FAILED/);
    });

    it.each(alerts.map((a) => [a.alert]))('cover %s firing and staying silent', (name) => {
      const cases = unitTests
        .flatMap((f) => f.tests.flatMap((t) => t.alert_rule_test ?? []))
        .filter((c) => c.alertname === name);
      expect(cases.some((c) => (c.exp_alerts ?? []).length > 0)).toBe(true);
      expect(cases.some((c) => (c.exp_alerts ?? []).length === 0)).toBe(true);
    });

    it('check the value of every recording rule', () => {
      const tested = unitTests.flatMap((f) =>
        f.tests.flatMap((t) => t.promql_expr_test ?? []).map((t) => t.expr),
      );
      for (const record of records) {
        expect(tested.filter((expr) => metricNamesIn(expr).has(record))).not.toHaveLength(0);
      }
    });
  });

  describe('alerts', () => {
    it('exist for every concern the SRE asked for', () => {
      expect(alerts.map((a) => a.alert).sort()).toEqual(
        [
          'FindashApiDown',
          'FindashApiHighErrorRate',
          'FindashApiHighLatency',
          'FindashCacheHitRatioLow',
          'FindashCircuitBreakerOpen',
          'FindashDbPoolSaturated',
          'FindashHighCpu',
          'FindashOperatorDown',
          'FindashOperatorNoLeader',
          'FindashOperatorReconcileErrors',
          'FindashOutboxBacklog',
          'FindashOutboxBacklogGrowing',
          'FindashOutboxPublishFailures',
          'FindashTenantNotReady',
        ].sort(),
      );
    });

    it.each(alerts.map((a) => [a.alert]))(
      '%s has a severity, a templated summary and description, and a runbook section',
      (name) => {
        const a = alerts.find((r) => r.alert === name)!;
        expect(['critical', 'warning', 'info']).toContain(a.labels?.severity);
        expect(a.annotations?.summary).toEqual(expect.any(String));
        expect(a.annotations?.description).toMatch(/\{\{ *(\$labels\.|\$value|with \$labels)/);
        const url = a.annotations?.runbook_url ?? '';
        expect(url).toMatch(/\/monitoring\/RUNBOOK\.md#[a-z0-9-]+$/);
        const section = url.split('#')[1]!;
        expect(section).toBe(anchor(a.alert));
        expect(runbookAnchors).toContain(section);
      },
    );

    it('each runbook section explains meaning, impact, diagnosis and remediation', () => {
      const sections = runbook.split(/^## /m).slice(1);
      for (const a of alerts) {
        const section = sections.find((s) => s.startsWith(`${a.alert}\n`));
        expect(section).toBeDefined();
        for (const part of ['**Meaning.**', '**Impact.**', '**Diagnosis.**', '**Remediation.**']) {
          expect(section).toContain(part);
        }
      }
    });
  });

  it('name recording rules level:metric:operations', () => {
    expect(records.length).toBeGreaterThanOrEqual(5);
    for (const record of records) expect(record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
    expect(new Set(records).size).toBe(records.length);
  });

  it('keep every rule file in the rules directory', () => {
    expect(ruleFilePaths().every((p) => p.startsWith(rulesDir))).toBe(true);
  });
});

describe('metric names used by rules and dashboards', () => {
  /** Names written in backticks in METRICS.md (the contract), plus Prometheus' own `up`. */
  const documented = new Set([...metricsDoc.matchAll(/`([a-zA-Z_:][a-zA-Z0-9_:]*)`/g)].map((m) => m[1]!));

  it('are all documented in METRICS.md', () => {
    const used = metricNamesUsed();
    expect(used.size).toBeGreaterThan(20);
    const undocumented = [...used].filter((name) => !documented.has(name));
    expect(undocumented).toEqual([]);
  });

  it('come from both the API and the operator, as base names without histogram suffixes', () => {
    const used = metricNamesUsed();
    expect(used).toContain('http_request_duration_seconds');
    expect(used).toContain('controller_runtime_reconcile_time_seconds');
    expect(used).toContain('findash_outbox_depth');
    expect([...used].some((n) => n.includes(':'))).toBe(false);
    expect([...used].some((n) => baseMetricName(n) !== n)).toBe(false);
    expect(used).not.toContain('up');
  });

  it('are read from PromQL without functions, labels, keywords or numbers', () => {
    const names = metricNamesIn(
      'histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket{route!~"/health.*", pod=~"$instance"}[$__rate_interval])))' +
        ' / on (namespace) group_left absent(up{job="x"}) or vector(1) > bool 1e3 unless findash:http_requests:rate5m offset 5m',
    );
    expect([...names].sort()).toEqual([
      'findash:http_requests:rate5m',
      'http_request_duration_seconds_bucket',
      'up',
    ]);
    expect([...metricNamesIn('label_values(up{job="findash-api", namespace="$namespace"}, pod)')]).toEqual([
      'up',
    ]);
  });
});
