/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   synthesized manifests are untyped JSON (see helpers.spec); the expectations are the type check. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import type { KubeObject } from '../../cdk8s/app.js';
import { ENVIRONMENT_NAMES, ENVIRONMENTS } from '../../cdk8s/environments.js';
import { GRAFANA_DASHBOARDS_DIR, PROMETHEUS_RULES_DIR } from '../../cdk8s/lib/paths.js';
import { find, get, matches, objectsOf, ofKind, spec, type PodSpec } from './helpers.js';

// The workloads of every environment: the API and its scaling and exposure, the backing services, the operator
// and what kube-prometheus-stack reads.
describe.each(ENVIRONMENT_NAMES)('%s manifests: workloads', (name) => {
  const env = ENVIRONMENTS[name];
  const objects = objectsOf(name);

  it('run the API on its environment port with liveness and readiness probes and migrations first', () => {
    const api = get(objects, 'Deployment', 'findash-api');
    const pod = spec(api).template.spec as PodSpec;
    const container = pod.containers.find((c) => c.name === 'api')!;
    expect(container.image).toBe(env.image);
    expect(container.ports).toEqual([
      { name: 'http', containerPort: env.api.port },
      { name: 'metrics', containerPort: 9464 },
    ]);
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/health/live', port: env.api.port });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/health/ready', port: env.api.port });
    const migrate = pod.initContainers?.find((c) => c.name === 'migrate');
    expect(migrate).toMatchObject({ image: env.image, command: ['node', 'dist/app/cli.js', 'migrate'] });
    expect(migrate?.env?.map((e) => e.name).sort()).toEqual(['DATABASE_OWNER_URL', 'DATABASE_URL']);

    const config = get(objects, 'ConfigMap', 'findash-api-config');
    expect(config.data).toMatchObject({
      PORT: String(env.api.port),
      FINDASH_ENV: name,
      LOG_LEVEL: env.api.logLevel,
      DASHBOARD_CACHE_TTL: String(env.api.cacheTtlSeconds),
      SEED_DEMO: String(name === 'development'),
    });
    expect(spec(get(objects, 'Service', 'findash-api')).ports).toEqual([
      { name: 'http', port: env.api.port, targetPort: env.api.port },
      { name: 'metrics', port: 9464, targetPort: 9464 },
    ]);
  });

  it('let the HPA own the API replica count where there is one, with the environment bounds', () => {
    const api = get(objects, 'Deployment', 'findash-api');
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'findash-api');
    const expected = { development: undefined, testing: undefined, staging: [2, 4], production: [3, 10] }[
      name
    ];
    if (expected === undefined) {
      expect(hpa).toBeUndefined();
      expect(spec(api).replicas).toBe(1);
      return;
    }
    expect(hpa).toBeDefined();
    const hpaSpec = spec(hpa!);
    expect([hpaSpec.minReplicas, hpaSpec.maxReplicas]).toEqual(expected);
    expect(hpaSpec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'findash-api',
    });
    expect(hpaSpec.metrics[0].resource).toEqual({
      name: 'cpu',
      target: { type: 'Utilization', averageUtilization: 70 },
    });
    expect(hpaSpec.behavior.scaleUp.policies.length).toBeGreaterThan(0);
    expect(hpaSpec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect('replicas' in spec(api)).toBe(false);
  });

  it('protect the API with a PodDisruptionBudget only in staging and production', () => {
    const pdb = find(objects, 'PodDisruptionBudget', 'findash-api');
    if (name === 'staging' || name === 'production') {
      expect(pdb).toBeDefined();
      const api = get(objects, 'Deployment', 'findash-api');
      expect(matches(spec(pdb!).selector.matchLabels, spec(api).template.metadata.labels)).toBe(true);
      expect(spec(pdb!).minAvailable).toBeLessThan(
        spec(get(objects, 'HorizontalPodAutoscaler', 'findash-api')).minReplicas,
      );
    } else {
      expect(pdb).toBeUndefined();
    }
  });

  it('expose the API through an Ingress of the configured class, with TLS in staging and production', () => {
    const ingress = spec(get(objects, 'Ingress', 'findash-api'));
    expect(ingress.ingressClassName).toBe(env.ingress.className);
    expect(ingress.rules[0].host).toBe(env.ingress.host);
    expect(ingress.rules[0].http.paths[0].backend.service).toEqual({
      name: 'findash-api',
      port: { number: env.api.port },
    });
    if (name === 'staging' || name === 'production') {
      expect(ingress.tls).toEqual([{ hosts: [env.ingress.host], secretName: env.ingress.tls!.secretName }]);
    } else {
      expect(ingress.tls).toBeUndefined();
    }
  });

  it('run PostgreSQL 17 the environment way', () => {
    const statefulSet = find(objects, 'StatefulSet', 'findash-postgres');
    const cluster = find(objects, 'Cluster', 'findash-postgres');
    if (name === 'development' || name === 'testing') {
      expect(cluster).toBeUndefined();
      const setSpec = spec(statefulSet!);
      const postgres = setSpec.template.spec.containers.find((c: { name: string }) => c.name === 'postgres');
      expect(postgres.image).toMatch(/^postgres:17\./);
      const data = setSpec.template.spec.volumes.find((v: { name: string }) => v.name === 'data');
      if (name === 'testing') {
        expect(data.emptyDir.medium).toBe('Memory');
        expect(setSpec.volumeClaimTemplates).toBeUndefined();
      } else {
        expect(data).toBeUndefined();
        expect(setSpec.volumeClaimTemplates[0].metadata.name).toBe('data');
      }
    } else {
      expect(statefulSet).toBeUndefined();
      expect(cluster?.apiVersion).toBe('postgresql.cnpg.io/v1');
      expect(spec(cluster!).imageName).toMatch(/:17\.\d+$/);
      expect(spec(cluster!).instances).toBe(name === 'production' ? 3 : 2);
      expect(spec(cluster!).seccompProfile).toEqual({ type: 'RuntimeDefault' });
      const backup = find(objects, 'ScheduledBackup', 'findash-postgres-daily');
      if (name === 'production') {
        expect(spec(backup!)).toMatchObject({
          cluster: { name: 'findash-postgres' },
          method: 'barmanObjectStore',
        });
        expect(spec(cluster!).backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
      } else {
        expect(backup).toBeUndefined();
      }
    }
  });

  it('run RabbitMQ in a StatefulSet locally and as a RabbitmqCluster in shared environments', () => {
    const cluster = find(objects, 'RabbitmqCluster', 'findash-rabbitmq');
    const statefulSet = find(objects, 'StatefulSet', 'findash-rabbitmq');
    if (name === 'development' || name === 'testing') {
      expect(cluster).toBeUndefined();
      expect(spec(statefulSet!).volumeClaimTemplates[0].metadata.name).toBe('data');
    } else {
      expect(statefulSet).toBeUndefined();
      expect(spec(cluster!).replicas).toBe(name === 'production' ? 3 : 1);
      expect(spec(cluster!).override.statefulSet.spec.template.spec.securityContext).toEqual({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
    const api = spec(get(objects, 'Deployment', 'findash-api')).template.spec.containers[0];
    const amqp = api.env.find((e: { name: string }) => e.name === 'AMQP_URL');
    expect(amqp.valueFrom.secretKeyRef.name).toBe(
      cluster ? 'findash-rabbitmq-default-user' : 'findash-rabbitmq',
    );
  });

  it('give the API every Memcached instance, with an exporter beside each', () => {
    const memcached = spec(get(objects, 'StatefulSet', 'findash-memcached'));
    expect(memcached.replicas).toBe(env.memcached.replicas);
    expect(memcached.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'memcached',
      'exporter',
    ]);
    const servers = get(objects, 'ConfigMap', 'findash-api-config').data as Record<string, string>;
    expect(servers.MEMCACHED_SERVERS!.split(',')).toHaveLength(env.memcached.replicas);
  });

  it('ship Adminer only in development', () => {
    expect(find(objects, 'Deployment', 'findash-adminer') !== undefined).toBe(name === 'development');
  });

  it('run the operator with its CRD, least-privilege RBAC and leader election where it has replicas', () => {
    const crd = get(objects, 'CustomResourceDefinition', 'tenants.findash.io');
    expect(spec(crd).group).toBe('findash.io');
    const deployment = spec(get(objects, 'Deployment', 'findash-operator'));
    expect(deployment.replicas).toBe(name === 'production' ? 2 : 1);
    const container = deployment.template.spec.containers[0];
    expect(container.command).toEqual(['node', 'dist/operator/main.js']);
    const envVars = Object.fromEntries(
      (container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
    );
    if (name === 'production') expect(envVars.LEADER_ELECTION).toBe('true');
    expect(deployment.template.spec.serviceAccountName).toBe('findash-operator');

    const role = get(objects, 'ClusterRole', 'findash-operator') as KubeObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const flat = role.rules.flatMap((r) => [...r.apiGroups, ...r.resources, ...r.verbs]);
    expect(flat).not.toContain('*');
    expect(role.rules.find((r) => r.resources.includes('tenants/status'))?.verbs).toEqual(['patch']);
    const leases = get(objects, 'Role', 'findash-operator-leader-election') as KubeObject & {
      rules: { resources: string[] }[];
    };
    expect(leases.rules.map((r) => r.resources)).toEqual([['leases']]);
    const binding = get(objects, 'ClusterRoleBinding', 'findash-operator') as KubeObject & {
      subjects: { name: string; namespace: string }[];
    };
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'findash-operator', namespace: env.namespace },
    ]);

    // In tenant namespaces it works through a ClusterRole it binds to itself there, held to those
    // namespaces by admission policies written for this environment's ServiceAccount.
    const tenantRole = get(objects, 'ClusterRole', 'findash-operator-tenant-namespace') as KubeObject & {
      rules: { resources: string[] }[];
    };
    expect(tenantRole.rules.flatMap((r) => r.resources).sort()).toEqual(['rolebindings', 'roles', 'secrets']);
    expect(role.rules.find((r) => r.resources.includes('clusterroles'))).toEqual({
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles'],
      resourceNames: ['findash-operator-tenant-namespace'],
      verbs: ['bind'],
    });
    expect(role.rules.some((r) => r.resources.includes('secrets'))).toBe(false);
    const policies = ofKind(objects, 'ValidatingAdmissionPolicy');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      'findash-operator-namespaces',
      'findash-operator-rolebindings',
    ]);
    for (const policy of policies) {
      expect(JSON.stringify(spec(policy).matchConditions)).toContain(
        `system:serviceaccount:${env.namespace}:findash-operator`,
      );
      const policyBinding = get(objects, 'ValidatingAdmissionPolicyBinding', policy.metadata.name);
      expect(spec(policyBinding)).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
    }
    const operatorEnv = Object.fromEntries(
      (
        container.env as { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[]
      ).map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]),
    );
    expect(operatorEnv).toMatchObject({
      POD_NAMESPACE: 'metadata.namespace',
      SERVICE_ACCOUNT_NAME: 'spec.serviceAccountName',
      TENANT_NAMESPACE_CLUSTER_ROLE: 'findash-operator-tenant-namespace',
    });
  });

  it('let kube-prometheus-stack find ServiceMonitors, rules and dashboards', () => {
    const monitors = ofKind(objects, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([
      'findash-api',
      'findash-memcached',
      'findash-operator',
      'findash-postgres',
      'findash-rabbitmq',
    ]);
    const services = ofKind(objects, 'Service');
    for (const monitor of monitors) {
      expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
      const { selector, endpoints } = spec(monitor);
      const target = services.find((s) => matches(selector.matchLabels, s.metadata.labels ?? {}));
      if (
        monitor.metadata.name === 'findash-rabbitmq' &&
        find(objects, 'RabbitmqCluster', 'findash-rabbitmq')
      ) {
        continue; // the Service is the RabbitMQ operator's
      }
      expect([monitor.metadata.name, target?.metadata.name]).toEqual([
        monitor.metadata.name,
        expect.any(String),
      ]);
      const portNames = (spec(target!).ports as { name: string }[]).map((p) => p.name);
      expect(portNames).toContain(endpoints[0].port);
    }
    // The alert rules match scrape jobs by Service name.
    expect(find(objects, 'Service', 'findash-api')).toBeDefined();
    expect(find(objects, 'Service', 'findash-operator')).toBeDefined();

    const ruleFiles = readdirSync(PROMETHEUS_RULES_DIR).filter((f) => f.endsWith('.yaml'));
    const rules = ofKind(objects, 'PrometheusRule');
    expect(rules.map((r) => r.metadata.name).sort()).toEqual(
      ruleFiles.map((f) => `findash-${path.basename(f, '.yaml')}`).sort(),
    );
    for (const rule of rules) expect(rule.metadata.labels?.release).toBe('kube-prometheus-stack');

    const dashboards = existsSync(GRAFANA_DASHBOARDS_DIR)
      ? readdirSync(GRAFANA_DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))
      : [];
    const configMaps = ofKind(objects, 'ConfigMap').filter(
      (c) => c.metadata.labels?.grafana_dashboard === '1',
    );
    expect(configMaps).toHaveLength(dashboards.length);
    for (const file of dashboards) {
      const configMap = configMaps.find((c) => (c.data as Record<string, string>)[file] !== undefined);
      expect(JSON.parse((configMap!.data as Record<string, string>)[file]!)).toEqual(
        JSON.parse(readFileSync(path.join(GRAFANA_DASHBOARDS_DIR, file), 'utf8')),
      );
    }
  });
});
