import { describe, expect, it } from '@jest/globals';

import { loadConfig as loadApiConfig } from '../../app/config.js';
import { loadConfig as loadOperatorConfig } from '../../operator/config.js';
import {
  CHART_DIR,
  ENVIRONMENTS,
  find,
  helmBinary,
  parseObjects,
  renderChart,
  run,
  valuesFile,
} from './helm.js';
import { containerEnv, contractPort, podSpec, renderedChart, spec, type PolicyRule } from './rendered.js';

// charts/findash, checked with the real helm: lint --strict, and the rendered environment as the API's and the
// operator's own configuration loaders read it. The rendered objects are checked against the runtime contract
// (helm-contract), for hardening, RBAC, monitoring and network policies (helm-policies), and on a real
// kube-apiserver with the Tenant and prometheus-operator CRDs installed (helm-cluster).

const { objects } = renderedChart();

describe('helm lint --strict', () => {
  it.each(ENVIRONMENTS)('passes for values-%s.yaml', async (env) => {
    const result = await run(helmBinary(), ['lint', '--strict', CHART_DIR, '-f', valuesFile(env)]);
    expect(result.stdout).toContain('0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it('rejects unknown values through values.schema.json', async () => {
    const result = await run(helmBinary(), [
      'lint',
      '--strict',
      CHART_DIR,
      '-f',
      valuesFile('production'),
      '--set',
      'api.replicas=3',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Additional property replicas is not allowed/);
  });

  it('refuses to render without a database, naming the two ways to get one', async () => {
    await expect(renderChart(undefined)).rejects.toThrow(
      /no database: set postgresql.enabled=true .* externalDatabase/,
    );
  });

  it('refuses several operator replicas without leader election', async () => {
    await expect(renderChart('production', ['--set', 'operator.leaderElection=false'])).rejects.toThrow(
      /needs operator.leaderElection=true/,
    );
  });
});

describe("the rendered environment is accepted by the API's and the operator's own configuration loaders", () => {
  it.each(ENVIRONMENTS)('%s', (env) => {
    const all = objects(env);
    const api = loadApiConfig(
      containerEnv(podSpec(find(all, 'Deployment', 'findash-api')).containers[0]!, all),
    );
    expect(api).toMatchObject({
      FINDASH_ENV: env,
      PORT: contractPort[env],
      SEED_DEMO: env === 'development',
    });
    expect(api.MEMCACHED_SERVERS).toMatch(/^findash-memcached-0\.findash-memcached\.findash\.svc:11211/);
    // No owner URL: the API connects only as DATABASE_URL, the role bound by row-level security.
    expect(api.DATABASE_OWNER_URL).toBeUndefined();
    expect(api.AMQP_URL).toMatch(/^amqp:\/\//);

    const migrate = loadApiConfig(
      containerEnv(podSpec(find(all, 'Deployment', 'findash-api')).initContainers![0]!, all),
    );
    expect(migrate.DATABASE_URL).toBe(api.DATABASE_URL);
    expect(migrate.DATABASE_OWNER_URL).not.toBe(api.DATABASE_URL);

    const operatorPod = podSpec(find(all, 'Deployment', 'findash-operator'));
    const operatorEnv = containerEnv(operatorPod.containers[0]!, all, operatorPod);
    const operator = loadOperatorConfig(operatorEnv);
    expect(operator).toMatchObject({ port: 8081, leaseNamespace: 'findash', leaseName: 'findash-operator' });
    expect(operator.databaseUrl).toBe(migrate.DATABASE_OWNER_URL);
    expect(operator.apiUrl).toMatch(/^https?:\/\//);
  });

  it("gives the operator the identity its RoleBindings and admission policies name, whatever the ServiceAccount's name", async () => {
    const all = parseObjects(
      await renderChart('production', ['--set', 'operator.serviceAccount.name=tenant-robot']),
    );
    const pod = podSpec(find(all, 'Deployment', 'findash-operator'));
    const operator = loadOperatorConfig(containerEnv(pod.containers[0]!, all, pod));
    expect(operator.serviceAccount).toEqual({ namespace: 'findash', name: 'tenant-robot' });
    // The ClusterRole it binds to itself is the one rendered, and the one it may bind.
    find(all, 'ClusterRole', operator.tenantNamespaceRole);
    const rules = find(all, 'ClusterRole', 'findash-operator').rules as PolicyRule[];
    expect(rules.find((r) => r.resources.includes('clusterroles'))?.resourceNames).toEqual([
      operator.tenantNamespaceRole,
    ]);
    // The admission policies apply to exactly that ServiceAccount.
    for (const policy of all.filter((o) => o.kind === 'ValidatingAdmissionPolicy')) {
      expect(spec<{ matchConditions: { expression: string }[] }>(policy).matchConditions).toEqual([
        {
          name: 'by-the-operator',
          expression: "request.userInfo.username == 'system:serviceaccount:findash:tenant-robot'",
        },
      ]);
    }
  });
});
