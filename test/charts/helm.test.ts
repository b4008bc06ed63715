import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { loadConfig as loadApiConfig } from '../../app/config.js';
import { loadConfig as loadOperatorConfig } from '../../operator/config.js';
import { kubeBinaries, kubectl, startControlPlane, type ControlPlane } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import {
  CHART_DIR,
  ENVIRONMENTS,
  find,
  helmBinary,
  parseObjects,
  renderChart,
  run,
  valuesFile,
  type Environment,
  type K8sObject,
} from './helm.js';

/**
 * charts/findash, checked with the real helm (lint --strict, template) and the rendered objects applied with a
 * server-side dry run to a real kube-apiserver that has the Tenant and prometheus-operator CRDs installed, so
 * every field is validated by the same code a cluster runs (OpenAPI schemas, CRD schemas, defaulting).
 */

interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      fieldRef?: { fieldPath: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  volumes?: { name: string; emptyDir?: { medium?: string; sizeLimit?: string } }[];
  serviceAccountName?: string;
}
interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);
const podSpec = (o: K8sObject): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;
// A typed view of an object's spec, for the fields a test reads.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
const spec = <T>(o: K8sObject): T => o.spec as T;
const decode = (o: K8sObject): Record<string, string> =>
  Object.fromEntries(
    Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  );

const rendered = new Map<Environment, K8sObject[]>();
const renderedText = new Map<Environment, string>();

beforeAll(async () => {
  for (const env of ENVIRONMENTS) {
    const text = await renderChart(env);
    renderedText.set(env, text);
    rendered.set(env, parseObjects(text));
  }
}, 60_000);

const objects = (env: Environment): K8sObject[] => rendered.get(env)!;
const contractPort: Record<Environment, number> = {
  development: 8000,
  testing: 8001,
  staging: 8002,
  production: 8000,
};

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

describe('rendered manifests follow the runtime contract', () => {
  const contract: Record<
    Environment,
    {
      port: number;
      replicas?: number;
      hpa?: [number, number];
      pdb: boolean;
      log: string;
      ttl: string;
      tls: boolean;
    }
  > = {
    development: { port: 8000, replicas: 1, pdb: false, log: 'debug', ttl: '60', tls: false },
    testing: { port: 8001, replicas: 1, pdb: false, log: 'info', ttl: '300', tls: false },
    staging: { port: 8002, hpa: [2, 4], pdb: true, log: 'info', ttl: '600', tls: true },
    production: { port: 8000, hpa: [3, 10], pdb: true, log: 'info', ttl: '600', tls: true },
  };

  it.each(ENVIRONMENTS)('%s: API port, replicas, autoscaling, PDB, logging, cache TTL and TLS', (env) => {
    const want = contract[env];
    const all = objects(env);
    const deployment = find(all, 'Deployment', 'findash-api');
    const api = podSpec(deployment).containers[0]!;
    expect(api.ports).toEqual([
      { name: 'http', containerPort: want.port, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
    const service = find(all, 'Service', 'findash-api');
    expect(spec<{ ports: { port: number }[] }>(service).ports[0]!.port).toBe(want.port);

    const config = find(all, 'ConfigMap', 'findash-api').data as Record<string, string>;
    expect(config).toMatchObject({
      FINDASH_ENV: env,
      PORT: String(want.port),
      LOG_LEVEL: want.log,
      DASHBOARD_CACHE_TTL: want.ttl,
      SEED_DEMO: String(env === 'development'),
    });
    expect(api.envFrom).toEqual([{ configMapRef: { name: 'findash-api' } }]);

    const hpa = all.find((o) => o.kind === 'HorizontalPodAutoscaler');
    if (want.hpa) {
      expect(spec<{ minReplicas: number; maxReplicas: number }>(hpa!)).toMatchObject({
        minReplicas: want.hpa[0],
        maxReplicas: want.hpa[1],
      });
      // The HPA owns the count: a replicas field would fight it on every upgrade.
      expect(spec<{ replicas?: number }>(deployment).replicas).toBeUndefined();
    } else {
      expect(hpa).toBeUndefined();
      expect(spec<{ replicas?: number }>(deployment).replicas).toBe(want.replicas);
    }
    expect(all.some((o) => o.kind === 'PodDisruptionBudget')).toBe(want.pdb);

    const ingress = find(all, 'Ingress', 'findash-api');
    const tls = spec<{ tls?: { hosts: string[]; secretName: string }[] }>(ingress).tls;
    expect(tls !== undefined).toBe(want.tls);
    if (tls) expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeTruthy();
  });

  it('runs PostgreSQL and RabbitMQ as StatefulSets in development and testing only, testing on tmpfs', () => {
    for (const env of ['development', 'testing'] as const) {
      const pg = find(objects(env), 'StatefulSet', 'findash-postgres');
      find(objects(env), 'StatefulSet', 'findash-rabbitmq');
      expect(podSpec(pg).containers[0]!.image).toMatch(/^postgres:17/);
      const data = podSpec(pg).volumes?.find((v) => v.name === 'data');
      if (env === 'testing') expect(data?.emptyDir?.medium).toBe('Memory');
      else expect(spec<{ volumeClaimTemplates: unknown[] }>(pg).volumeClaimTemplates).toHaveLength(1);
    }
    for (const env of ['staging', 'production'] as const) {
      const sts = objects(env)
        .filter((o) => o.kind === 'StatefulSet')
        .map((o) => o.metadata.name);
      expect(sts).toEqual(['findash-memcached']);
    }
    expect(objects('development').some((o) => o.metadata.name === 'findash-adminer')).toBe(true);
    expect(objects('testing').some((o) => o.metadata.name === 'findash-adminer')).toBe(false);
  });

  it('reads staging and production database and broker credentials from their existing Secrets', () => {
    for (const env of ['staging', 'production'] as const) {
      const api = podSpec(find(objects(env), 'Deployment', 'findash-api')).containers[0]!;
      const ref = (name: string) => api.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(ref('DATABASE_URL')).toEqual({ name: 'findash-api', key: 'DATABASE_URL' });
      // The API runs as the role that owns nothing; only the migrations and the operator get the owner.
      expect(api.env?.map((e) => e.name)).not.toContain('DATABASE_OWNER_URL');
      const migrate = podSpec(find(objects(env), 'Deployment', 'findash-api')).initContainers![0]!;
      expect(migrate.env?.find((e) => e.name === 'DATABASE_OWNER_URL')?.valueFrom?.secretKeyRef).toEqual({
        name: 'findash-postgres-app',
        key: 'uri',
      });
      expect(ref('AMQP_URL')).toEqual({ name: 'findash-rabbitmq-default-user', key: 'connection_string' });
    }
  });

  it('gives the bundled PostgreSQL, the API and its migrations the same generated credentials', () => {
    const all = objects('development');
    const secret = decode(find(all, 'Secret', 'findash'));
    const migrate = podSpec(find(all, 'Deployment', 'findash-api')).initContainers![0]!;
    expect(migrate.env?.find((e) => e.name === 'DATABASE_OWNER_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'findash',
      key: 'database-owner-url',
    });
    const owner = new URL(secret['database-owner-url']!);
    expect(owner.password).toBe(secret['postgres-owner-password']);
    expect(owner.hostname).toBe('findash-postgres');
    const app = new URL(secret['database-url']!);
    expect(app.username).toBe('findash_app');
    expect(app.password).toHaveLength(32);
    expect(new URL(secret['amqp-url']!).password).toBe(secret['rabbitmq-password']);
    const pg = podSpec(find(all, 'StatefulSet', 'findash-postgres')).containers[0]!;
    expect(pg.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'findash',
      key: 'postgres-owner-password',
    });
  });

  it('migrates in an init container of every API pod, as the cdk8s manifests do (no hook Job)', () => {
    for (const env of ENVIRONMENTS) expect(objects(env).some((o) => o.kind === 'Job')).toBe(false);
    const job = podSpec(find(objects('production'), 'Deployment', 'findash-api')).initContainers![0]!;
    expect(job.name).toBe('migrate');
    expect(job.command).toEqual(['node', 'dist/app/cli.js', 'migrate']);
    expect(job.env?.map((e) => e.name)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'DATABASE_OWNER_URL']),
    );
  });

  it('runs the API and the operator from one image with different commands', () => {
    const all = objects('production');
    const api = podSpec(find(all, 'Deployment', 'findash-api')).containers[0]!;
    const operator = podSpec(find(all, 'Deployment', 'findash-operator')).containers[0]!;
    expect(api.image).toBe(operator.image);
    expect(api.image).toMatch(/^ghcr\.io\/findash\/findash:/);
    expect(api.command).toEqual(['node', '--import', './dist/app/telemetry.js', 'dist/app/server.js']);
    expect(operator.command).toEqual(['node', 'dist/operator/main.js']);
    expect(operator.ports).toEqual([{ name: 'metrics', containerPort: 8081, protocol: 'TCP' }]);
    const env = Object.fromEntries((operator.env ?? []).map((e) => [e.name, e]));
    expect(env.LEADER_ELECTION?.value).toBe('true');
    expect(env.DATABASE_URL?.valueFrom?.secretKeyRef).toEqual({ name: 'findash-postgres-app', key: 'uri' });
    expect(spec<{ replicas: number }>(find(all, 'Deployment', 'findash-operator')).replicas).toBe(2);
    expect(
      objects('development').map((o) => o.kind === 'Deployment' && podSpec(o).containers[0]!.image),
    ).toContain('findash:dev');
  });

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

/**
 * A container's environment as the kubelet would build it from the rendered objects. Values held in Secrets the
 * platform provides (existingSecret) get a well-formed stand-in; downward-API fields get the namespace.
 */
function containerEnv(container: Container, all: K8sObject[], pod?: PodSpec): Record<string, string> {
  // The same Secret key always stands in with the same value, so "which Secret" comparisons still hold.
  const standIn = (variable: string, ref: { name: string; key: string }): string | undefined => {
    if (variable === 'AMQP_URL') return `amqp://${ref.name}:secret@mq.example:5672`;
    if (variable.startsWith('DATABASE')) return `postgres://${ref.name}:secret@db.example:5432/findash`;
    if (variable === 'ADMIN_TOKEN') return 'a'.repeat(32);
    return undefined;
  };
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    Object.assign(env, find(all, 'ConfigMap', from.configMapRef!.name).data as Record<string, string>);
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      env[e.name] = field === 'spec.serviceAccountName' ? (pod?.serviceAccountName ?? 'default') : 'findash';
    } else if (ref) {
      const secret = all.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name);
      const value = secret ? decode(secret)[ref.key] : standIn(e.name, ref);
      if (value !== undefined) env[e.name] = value;
      else if (!ref.optional)
        throw new Error(`${container.name}: ${e.name} references missing ${ref.name}/${ref.key}`);
    }
  }
  return env;
}

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

describe('against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let work: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    work = await mkdtemp(path.join(os.tmpdir(), 'findash-chart-'));
    // CRDs for real (as Helm's crds/ and the platform's operators would install them), then wait until served.
    const crdFiles = [
      path.join(CHART_DIR, 'crds', 'findash.io_tenants.yaml'),
      path.join(
        repoRoot(),
        'cdk8s',
        'crds',
        'prometheus-operator-v0.85.0',
        'monitoring.coreos.com_servicemonitors.yaml',
      ),
      path.join(
        repoRoot(),
        'cdk8s',
        'crds',
        'prometheus-operator-v0.85.0',
        'monitoring.coreos.com_prometheusrules.yaml',
      ),
    ];
    for (const file of crdFiles) await kubectl(cp, ['apply', '--server-side', '-f', file]);
    await kubectl(cp, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/tenants.findash.io',
      'crd/servicemonitors.monitoring.coreos.com',
      'crd/prometheusrules.monitoring.coreos.com',
    ]);
    await kubectl(cp, ['create', 'namespace', 'findash']);
  }, 180_000);

  afterAll(async () => {
    // undefined when beforeAll failed before the control plane started.
    await (cp as ControlPlane | undefined)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(ENVIRONMENTS)('%s: every rendered object passes a server-side dry-run apply', async (env) => {
    const file = path.join(work, `${env}.yaml`);
    await writeFile(file, renderedText.get(env)!);
    const out = await kubectl(cp, [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--field-manager=helm-test',
      '-f',
      file,
    ]);
    const applied = out.trim().split('\n');
    expect(applied).toHaveLength(objects(env).length);
    for (const line of applied) expect(line).toMatch(/ serverside-applied \(server dry run\)$/);
  });

  it('keeps generated credentials across upgrades (lookup of the installed Secret)', async () => {
    const first = find(objects('development'), 'Secret', 'findash');
    const file = path.join(work, 'secret.yaml');
    await writeFile(file, JSON.stringify(first));
    await kubectl(cp, ['apply', '--server-side', '-f', file]);
    const again = parseObjects(
      await renderChart('development', ['--dry-run=server', '--kubeconfig', cp.kubeconfigPath]),
    );
    expect(decode(find(again, 'Secret', 'findash'))).toEqual(decode(first));
  });

  it('lets the operator ServiceAccount provision a tenant and nothing beyond the contract', async () => {
    // Apply the RBAC objects and admission policies for real, then act as the operator's ServiceAccount.
    const rbac = objects('production').filter((o) =>
      [
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicyBinding',
      ].includes(o.kind),
    );
    const file = path.join(work, 'rbac.yaml');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }));
    await kubectl(cp, ['apply', '--server-side', '-f', file]);
    const as = ['--as=system:serviceaccount:findash:findash-operator'];
    // can-i answers on stdout and exits 1 for "no"; any other failure must not pass as a "no".
    const can = async (...args: string[]) => {
      const result = await run(kubeBinaries().kubectl, [
        '--kubeconfig',
        cp.kubeconfigPath,
        'auth',
        'can-i',
        ...as,
        ...args,
      ]);
      expect(result.stderr).not.toMatch(/error|doesn't have a resource type/i);
      return result.stdout.trim();
    };
    // A new RoleBinding and new admission policies take effect a moment after they are stored.
    const eventually = async (what: () => Promise<unknown>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await what();
        } catch (err) {
          if (attempt >= 100) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const refused = async (args: string[]) => {
      const error = await kubectl(cp, [...as, ...args]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect([args.join(' '), String(error)]).toEqual([args.join(' '), expect.stringMatching(/forbidden/i)]);
    };
    const grantSelf = (namespace: string) => [
      '-n',
      namespace,
      'create',
      'rolebinding',
      'findash-operator',
      '--clusterrole=findash-operator-tenant-namespace',
      '--serviceaccount=findash:findash-operator',
    ];

    // What reconciling a Tenant does, done for real under the operator's identity: the namespace,
    // then its own RoleBinding there, then the Secrets, Role and RoleBinding through that.
    const namespaceFile = path.join(work, 'tenant-namespace.json');
    await writeFile(
      namespaceFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'tenant-acme', labels: { 'app.kubernetes.io/managed-by': 'findash-operator' } },
      }),
    );
    await eventually(() => refused(['create', 'namespace', 'not-a-tenant']));
    await kubectl(cp, [...as, 'create', '-f', namespaceFile]);
    expect(await can('get', 'secrets', '-n', 'tenant-acme')).toBe('no');
    await kubectl(cp, [...as, ...grantSelf('tenant-acme')]);
    await eventually(() =>
      kubectl(cp, [
        ...as,
        '-n',
        'tenant-acme',
        'create',
        'secret',
        'generic',
        'dashboard-token',
        '--from-literal=token=t',
      ]),
    );
    // Creating a Role that grants `get` on Secrets passes RBAC's escalation check only because the operator holds it.
    await kubectl(cp, [
      ...as,
      '-n',
      'tenant-acme',
      'create',
      'role',
      'tenant-owners',
      '--verb=get,list',
      '--resource=secrets',
    ]);
    await kubectl(cp, [
      ...as,
      '-n',
      'tenant-acme',
      'create',
      'rolebinding',
      'tenant-owners',
      '--role=tenant-owners',
      '--user=alice@example.com',
    ]);
    expect(await can('patch', 'tenants.findash.io', '--subresource=status')).toBe('yes');
    expect(await can('update', 'tenants.findash.io', '--subresource=finalizers')).toBe('yes');
    expect(await can('create', 'leases.coordination.k8s.io', '-n', 'findash')).toBe('yes');
    expect(await can('update', 'leases.coordination.k8s.io/findash-operator', '-n', 'findash')).toBe('yes');

    // Least privilege: no workloads, no other leases, no cluster-wide RBAC, no deleting Tenants.
    expect(await can('create', 'deployments.apps', '-n', 'findash')).toBe('no');
    expect(await can('list', 'pods', '-n', 'findash')).toBe('no');
    expect(await can('update', 'leases.coordination.k8s.io/kube-scheduler', '-n', 'kube-system')).toBe('no');
    expect(await can('update', 'leases.coordination.k8s.io/other', '-n', 'findash')).toBe('no');
    expect(await can('create', 'clusterrolebindings')).toBe('no');
    expect(await can('delete', 'tenants.findash.io')).toBe('no');
    expect(await can('create', 'tenants.findash.io')).toBe('no');

    // Outside tenant namespaces: no Secrets, Roles or RoleBindings to read, and no way to let itself in.
    expect(await can('get', 'secrets', '-n', 'findash')).toBe('no');
    expect(await can('list', 'secrets', '--all-namespaces')).toBe('no');
    expect(await can('list', 'roles.rbac.authorization.k8s.io', '--all-namespaces')).toBe('no');
    expect(await can('get', 'rolebindings.rbac.authorization.k8s.io', '-n', 'kube-system')).toBe('no');
    await refused(grantSelf('kube-system'));
    await refused(grantSelf('findash'));
    await refused([
      '-n',
      'tenant-acme',
      'create',
      'rolebinding',
      'x',
      '--clusterrole=admin',
      '--user=mallory',
    ]);
    await refused(['delete', 'namespace', 'findash']);
  });

  it('installs with helm against the cluster and prints how to reach the API, add a tenant and read its token', async () => {
    // Another release name and namespace, so nothing the tests above created for real is in the way.
    await kubectl(cp, ['create', 'namespace', 'demo']);
    const result = await run(helmBinary(), [
      'install',
      'demo',
      CHART_DIR,
      '--namespace',
      'demo',
      '-f',
      valuesFile('development'),
      '--dry-run=server',
      '--kubeconfig',
      cp.kubeconfigPath,
    ]);
    expect(result.stderr.replace(/^.*symbolic link.*$/gm, '').trim()).toBe('');
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('export FINDASH_URL=http://findash.dev.localhost');
    expect(notes).toContain('kubectl -n demo rollout status deployment/demo-findash-api');
    expect(notes).toContain('kind: Tenant');
    expect(notes).toContain(
      "kubectl -n tenant-acme get secret dashboard-token -o jsonpath='{.data.token}' | base64 -d",
    );
    expect(notes).toContain('curl -s -H "Authorization: Bearer $TOKEN" $FINDASH_URL/financial/dashboard');

    // The Tenant example in NOTES is itself valid against the real CRD.
    const tenant = notes.slice(
      notes.indexOf('apiVersion: findash.io'),
      notes.indexOf('YAML\n', notes.indexOf('apiVersion: findash.io')),
    );
    const dedented = tenant.replace(/^ {3}/gm, '');
    const out = await kubectl(cp, ['apply', '--dry-run=server', '-f', '-'], dedented);
    expect(out).toContain('tenant.findash.io/acme created (server dry run)');
  });
});
