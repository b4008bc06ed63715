import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml, stringify } from 'yaml';

import { kubectl } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import { operatorHarness } from './harness.js';
import { tenantObject } from './tenants.js';

/**
 * The CRD's schema refuses bad Tenants at `kubectl apply` time, with a message that says what
 * is wrong, before the operator ever sees them.
 */
describe('Tenant CRD validation (kubectl apply against a real API server)', () => {
  const env = operatorHarness();

  /** kubectl apply; resolves with kubectl's error text, or '' when it was accepted. */
  async function apply(obj: unknown): Promise<string> {
    try {
      await kubectl(env.cp, ['apply', '-f', '-'], stringify(obj));
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  }

  it('accepts the examples in operator/examples', async () => {
    for (const file of ['user-tenant.yaml', 'organization-tenant.yaml']) {
      const text = readFileSync(path.join(repoRoot(), 'operator', 'examples', file), 'utf8');
      expect(await apply(parseYaml(text))).toBe('');
    }
    const out = await kubectl(env.cp, [
      'get',
      'tenant',
      'acme-corp',
      '-o',
      'jsonpath={.spec.deletionPolicy} {.spec.suspended}',
    ]);
    expect(out).toBe('Delete false');
    // Defaults fill what the user left out.
    const alice = await kubectl(env.cp, [
      'get',
      'tenant',
      'alice',
      '-o',
      'jsonpath={.spec.deletionPolicy} {.spec.suspended}',
    ]);
    expect(alice).toBe('Retain false');
  });

  it('refuses a currency that is not three upper-case letters', async () => {
    const msg = await apply(tenantObject('bad-currency', { baseCurrency: 'usd' }));
    expect(msg).toMatch(/spec\.baseCurrency.*should match '\^\[A-Z\]\{3\}\$'/);
  });

  it('refuses an unknown role, naming the allowed ones', async () => {
    const msg = await apply(
      tenantObject('bad-role', { apiClients: [{ name: 'ci', role: 'superuser' as 'admin' }] }),
    );
    expect(msg).toMatch(
      /spec\.apiClients\[0\]\.role: Unsupported value: "superuser": supported values: "viewer", "analyst", "admin"/,
    );
    const member = await apply(
      tenantObject('bad-member-role', { members: [{ kind: 'User', name: 'x', role: 'owner' as 'admin' }] }),
    );
    expect(member).toMatch(/spec\.members\[0\]\.role: Unsupported value: "owner"/);
  });

  it('refuses names that cannot become a namespace tenant-<name>', async () => {
    expect(await apply(tenantObject('Bad_Name'))).toMatch(/metadata\.name must be a DNS label|RFC 1123/);
    expect(await apply(tenantObject('a.b'))).toMatch(/metadata\.name must be a DNS label/);
    expect(await apply(tenantObject('x'.repeat(41)))).toMatch(/metadata\.name must be at most 40 characters/);
    expect(await apply(tenantObject('x'.repeat(40)))).toBe('');
  });

  it('refuses a user tenant with two owners, and explains the alternative', async () => {
    const msg = await apply(
      tenantObject('two-owners', {
        type: 'user',
        owners: [
          { kind: 'User', name: 'a' },
          { kind: 'User', name: 'b' },
        ],
      }),
    );
    expect(msg).toMatch(/spec\.owners: .*a user tenant has exactly one owner.*use type organization/);
  });

  it('refuses duplicate API clients, bad client names, bad time zones and incomplete subjects', async () => {
    expect(
      await apply(
        tenantObject('dup-clients', {
          apiClients: [
            { name: 'ci', role: 'viewer' },
            { name: 'ci', role: 'admin' },
          ],
        }),
      ),
    ).toMatch(/spec\.apiClients\[1\]: Duplicate value/);
    expect(
      await apply(tenantObject('bad-client', { apiClients: [{ name: 'CI_bot', role: 'viewer' }] })),
    ).toMatch(/spec\.apiClients\[0\]\.name.*should match/);
    expect(await apply(tenantObject('bad-tz', { timezone: 'Mars/Olympus Mons' }))).toMatch(
      /spec\.timezone.*should match/,
    );
    expect(
      await apply(tenantObject('sa-no-ns', { owners: [{ kind: 'ServiceAccount', name: 'bot' }] })),
    ).toMatch(/namespace is required for a ServiceAccount subject/);
    expect(await apply(tenantObject('no-owner', { owners: [] }))).toMatch(/spec\.owners.*at least 1 items/);
    const missing = tenantObject('missing');
    delete (missing.spec as Partial<typeof missing.spec>).displayName;
    expect(await apply(missing)).toMatch(/spec\.displayName: Required value/);
  });

  it('keeps spec.type immutable', async () => {
    expect(await apply(tenantObject('typed', { type: 'organization' }))).toBe('');
    expect(await apply(tenantObject('typed', { type: 'user' }))).toMatch(/spec\.type is immutable/);
  });

  it('documents the fields for kubectl explain', async () => {
    const out = await kubectl(env.cp, ['explain', 'tenant.spec']);
    expect(out).toMatch(/deletionPolicy.*\n.*enum: Retain, Delete/);
    expect(out).toMatch(/ISO 4217/);
    expect(await kubectl(env.cp, ['get', 'tnt'])).toMatch(/NAME\s+TYPE\s+PHASE\s+READY/);
    // The `findash` category: `kubectl get findash` lists Tenants with everything else of ours.
    expect(await kubectl(env.cp, ['get', 'findash'])).toMatch(/\balice\b/);
  });
});
