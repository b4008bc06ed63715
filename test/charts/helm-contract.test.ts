import { describe, expect, it } from '@jest/globals';

import { ENVIRONMENTS, find, type Environment } from './helm.js';
import { decode, podSpec, renderedChart, spec } from './rendered.js';

// The rendered manifests against the runtime contract: ports, replicas, scaling, credentials, migrations, image.

const { objects } = renderedChart();

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
});
