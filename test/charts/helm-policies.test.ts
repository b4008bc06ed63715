import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { repoRoot } from '../harness/repo-root.js';
import { ENVIRONMENTS, find, parseObjects, renderChart, type K8sObject } from './helm.js';
import { WORKLOADS, podSpec, renderedChart, spec, type PolicyRule } from './rendered.js';

// The rendered manifests' pod hardening, labels, operator RBAC, monitoring objects and NetworkPolicies.

const { objects, renderedText } = renderedChart();

describe('rendered manifests: hardening, labels, RBAC, monitoring and network policies', () => {
  it.each(ENVIRONMENTS)('%s: every pod is hardened and sized', (env) => {
    const workloads = objects(env).filter((o) => WORKLOADS.has(o.kind));
    expect(workloads.length).toBeGreaterThan(2);
    for (const workload of workloads) {
      const pod = podSpec(workload);
      const where = `${workload.kind}/${workload.metadata.name}`;
      expect({ where, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
        where,
        runAsNonRoot: true,
      });
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect({ where, c: c.name, sc: c.securityContext }).toMatchObject({
          where,
          c: c.name,
          sc: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        });
        expect(c.imagePullPolicy).toBe('IfNotPresent');
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.resources?.requests?.cpu && c.resources.requests.memory).toBeTruthy();
        expect(c.resources?.limits?.cpu && c.resources.limits.memory).toBeTruthy();
      }
      // findash's own processes: uid 10001 and a writable /tmp on an emptyDir, nothing else writable.
      if (['findash-api', 'findash-operator'].includes(workload.metadata.name)) {
        expect(pod.securityContext?.runAsUser).toBe(10001);
        expect(pod.containers[0]!.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
        expect(pod.volumes?.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
      }
    }
  });

  it.each(ENVIRONMENTS)('%s: every object carries the recommended labels', (env) => {
    for (const o of objects(env)) {
      expect({ obj: `${o.kind}/${o.metadata.name}`, labels: o.metadata.labels }).toMatchObject({
        obj: `${o.kind}/${o.metadata.name}`,
        labels: {
          'app.kubernetes.io/name': 'findash',
          'app.kubernetes.io/instance': 'findash',
          'app.kubernetes.io/version': expect.any(String),
          'app.kubernetes.io/component': expect.stringMatching(
            /^(api|operator|memcached|rabbitmq|postgres|adminer|monitoring|network)$/,
          ),
          'app.kubernetes.io/part-of': 'findash',
          'app.kubernetes.io/managed-by': 'Helm',
        },
      });
    }
  });

  it('grants the operator exactly the rules it is tested with, within the contract, nothing wildcard', async () => {
    const all = objects('production');
    const rules = find(all, 'ClusterRole', 'findash-operator').rules as PolicyRule[];
    // One source: operator/rbac/clusterrole.yaml, the ClusterRole the operator's own tests run under.
    const operatorFile = await readFile(
      path.join(repoRoot(), 'operator', 'rbac', 'clusterrole.yaml'),
      'utf8',
    );
    const tested = parseObjects(operatorFile).find((o) => o.kind === 'ClusterRole')!;
    expect(rules).toEqual(tested.rules);
    // Likewise the ClusterRole it binds to itself in each tenant namespace.
    const tenantRole = find(all, 'ClusterRole', 'findash-operator-tenant-namespace');
    const tenantRoleFile = parseObjects(
      await readFile(path.join(repoRoot(), 'operator', 'rbac', 'tenant-namespace-role.yaml'), 'utf8'),
    ).find((o) => o.kind === 'ClusterRole')!;
    expect(tenantRole.rules).toEqual(tenantRoleFile.rules);
    // And the admission policies that keep its RoleBindings and Namespaces to tenant namespaces.
    const policyFile = parseObjects(
      await readFile(path.join(repoRoot(), 'operator', 'rbac', 'admission-policy.yaml'), 'utf8'),
    );
    // Helm orders objects by kind, so they are compared by kind and name.
    const byKey = (list: K8sObject[]) =>
      Object.fromEntries(list.map((o) => [`${o.kind}/${o.metadata.name}`, o.spec]));
    expect(byKey(all.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy')))).toEqual(
      byKey(
        policyFile.map((o) => ({
          ...o,
          spec: JSON.parse(
            JSON.stringify(o.spec).replaceAll(
              'system:serviceaccount:findash-system:findash-operator',
              'system:serviceaccount:findash:findash-operator',
            ),
          ) as unknown,
        })),
      ),
    );

    // The runtime contract is the upper bound of what the operator may ever be granted.
    const contract: Record<string, string[]> = {
      'findash.io/tenants': ['get', 'list', 'watch', 'update', 'patch'],
      'findash.io/tenants/status': ['get', 'update', 'patch'],
      'findash.io/tenants/finalizers': ['update'],
      '/namespaces': ['get', 'list', 'watch', 'create', 'patch', 'delete'],
      // Cluster-wide: no Secrets or Roles at all; RoleBindings only created (the admission policy
      // says where), and only the tenant-namespace ClusterRole bound.
      'rbac.authorization.k8s.io/rolebindings': ['create'],
      'rbac.authorization.k8s.io/clusterroles': ['bind'],
      '/events': ['create', 'patch'],
      'events.k8s.io/events': ['create', 'patch'],
    };
    for (const rule of rules) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          const allowed = contract[`${group}/${resource}`];
          expect({
            resource: `${group}/${resource}`,
            extra: rule.verbs.filter((v) => !allowed?.includes(v)),
          }).toEqual({
            resource: `${group}/${resource}`,
            extra: [],
          });
        }
      }
    }
    expect(JSON.stringify(rules)).not.toContain('*');
    expect(rules.find((r) => r.resources.includes('clusterroles'))?.resourceNames).toEqual([
      'findash-operator-tenant-namespace',
    ]);
    const lease = find(all, 'Role', 'findash-operator-leader-election').rules as PolicyRule[];
    expect(lease).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['findash-operator'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  it('scrapes with the job names the alert rules use and ships every rule file as a PrometheusRule', async () => {
    const all = objects('production');
    const jobs = all
      .filter((o) => o.kind === 'ServiceMonitor')
      .map((o) => spec<{ endpoints: { relabelings: { targetLabel: string; replacement: string }[] }[] }>(o))
      .flatMap((s) =>
        s.endpoints.flatMap((e) =>
          e.relabelings.filter((r) => r.targetLabel === 'job').map((r) => r.replacement),
        ),
      );
    expect(jobs.sort()).toEqual(['findash-api', 'findash-memcached', 'findash-operator']);
    const ruleFiles = (await readdir(path.join(repoRoot(), 'monitoring', 'prometheus', 'rules'))).filter(
      (f) => f.endsWith('.yaml'),
    );
    const rules = all.filter((o) => o.kind === 'PrometheusRule');
    expect(rules).toHaveLength(ruleFiles.length);
    expect(ruleFiles.length).toBeGreaterThan(0);
    // Alert templates ({{ $labels.x }}) must reach Prometheus unexpanded by Helm.
    expect(renderedText.get('production')).toContain('{{ $labels.namespace }}');
    expect(objects('development').some((o) => o.kind === 'ServiceMonitor')).toBe(false);

    // Grafana dashboards of monitoring/grafana/dashboards/, one ConfigMap each for the Grafana sidecar.
    const dashboards = (await readdir(path.join(repoRoot(), 'monitoring', 'grafana', 'dashboards'))).filter(
      (f) => f.endsWith('.json'),
    );
    const configMaps = all.filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1',
    );
    expect(configMaps.length).toBe(dashboards.length);
    for (const cm of configMaps) {
      const [file, json] = Object.entries(cm.data as Record<string, string>)[0]!;
      expect(dashboards).toContain(file);
      expect((JSON.parse(json) as { title?: string }).title).toBeTruthy();
    }
  });

  it('lets only the pods that use a backing service reach it when NetworkPolicies are on', async () => {
    const all = parseObjects(await renderChart('development', ['--set', 'networkPolicy.enabled=true']));
    const pg = spec<{ ingress: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }[] }>(
      find(all, 'NetworkPolicy', 'findash-postgres'),
    );
    const allowed = pg.ingress[0]!.from.map(
      (f) => f.podSelector?.matchLabels['app.kubernetes.io/component'],
    ).sort();
    expect(allowed).toEqual(['adminer', 'api', 'operator']);
    const memcached = spec<{
      ingress: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }[];
    }>(find(all, 'NetworkPolicy', 'findash-memcached'));
    expect(
      memcached.ingress[0]!.from.map((f) => f.podSelector?.matchLabels['app.kubernetes.io/component']),
    ).toEqual(['api']);
  });
});
