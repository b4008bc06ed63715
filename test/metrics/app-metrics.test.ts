import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { AUDIT_ACTIONS } from '../../app/audit/audit-actions.js';
import { AppMetrics } from '../../app/metrics/app-metrics.js';
import { repoRoot } from '../harness/repo-root.js';

/**
 * Counters whose panels would say "No data" until their first event exist at zero from the first scrape
 * (issue #17.11): findash_audit_events_total for every action the domain writes, and
 * findash_db_slow_queries_total under its overflow label.
 */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('metric series present from the first scrape', () => {
  it('lists every audit action the domain services write', () => {
    const written = new Set<string>();
    for (const file of sourceFiles(path.join(repoRoot(), 'app', 'domain'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\baction: '([a-z_]+\.[a-z_.]+)'/g))
        written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThan(5);
    expect([...AUDIT_ACTIONS].sort()).toEqual(expect.arrayContaining([...written].sort()));
  });

  it('renders findash_audit_events_total and findash_db_slow_queries_total at 0 before any event', async () => {
    const text = await new AppMetrics().render();
    for (const action of AUDIT_ACTIONS) {
      expect(text).toContain(`findash_audit_events_total{action="${action}"} 0`);
    }
    expect(text).toContain('findash_db_slow_queries_total{operation="other"} 0');
  });
});
