import { describe, expect, it } from '@jest/globals';

import { loadConfig } from '../../operator/config.js';

describe('operator configuration', () => {
  const base = { DATABASE_URL: 'postgres://owner@127.0.0.1:5432/findash' };

  it('uses the documented defaults', () => {
    const c = loadConfig({ ...base, POD_NAME: 'op-0' });
    expect(c).toMatchObject({
      databaseUrl: base.DATABASE_URL,
      port: 8081,
      concurrency: 4,
      resyncPeriodMs: 300_000,
      leaderElection: true,
      leaseNamespace: 'findash-system',
      leaseName: 'findash-operator',
      leaseDurationMs: 15_000,
      identity: 'op-0',
      watchTimeoutSeconds: 300,
      watchIdleTimeoutMs: 330_000,
      logLevel: 'info',
    });
  });

  it('knows its ServiceAccount and the ClusterRole it binds to itself in tenant namespaces', () => {
    expect(loadConfig({ ...base, LEADER_ELECTION_NAMESPACE: 'ops' })).toMatchObject({
      serviceAccount: { namespace: 'ops', name: 'findash-operator' },
      tenantNamespaceRole: 'findash-operator-tenant-namespace',
    });
    expect(
      loadConfig({
        ...base,
        POD_NAMESPACE: 'platform',
        SERVICE_ACCOUNT_NAME: 'demo-findash-operator',
        TENANT_NAMESPACE_CLUSTER_ROLE: 'demo-findash-operator-tenant-namespace',
      }),
    ).toMatchObject({
      serviceAccount: { namespace: 'platform', name: 'demo-findash-operator' },
      tenantNamespaceRole: 'demo-findash-operator-tenant-namespace',
    });
  });

  it('prefers DATABASE_OWNER_URL, since the operator writes across tenants', () => {
    expect(loadConfig({ ...base, DATABASE_OWNER_URL: 'postgres://o@h/db' }).databaseUrl).toBe(
      'postgres://o@h/db',
    );
  });

  it('reads every knob and refuses nonsense with the variable named', () => {
    const c = loadConfig({
      ...base,
      OPERATOR_CONCURRENCY: '8',
      LEADER_ELECTION: 'false',
      LEASE_DURATION_SECONDS: '5',
      FINDASH_API_URL: 'https://api.example',
      LOG_LEVEL: 'trace',
    });
    expect(c).toMatchObject({
      concurrency: 8,
      leaderElection: false,
      leaseDurationMs: 5000,
      apiUrl: 'https://api.example',
      logLevel: 'debug',
    });
    expect(() => loadConfig({ ...base, OPERATOR_CONCURRENCY: '0' })).toThrow(
      /OPERATOR_CONCURRENCY must be a number >= 1/,
    );
    expect(() => loadConfig({ ...base, LEADER_ELECTION: 'maybe' })).toThrow(
      /LEADER_ELECTION must be true or false/,
    );
    expect(() => loadConfig({ ...base, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
  });
});
