// The one table of per-environment settings. Every chart reads its environment's row and nothing
// else, so a difference between environments is visible here and only here.
import { PRODUCT_VERSION } from './lib/paths.js';
import type { EnvironmentSettings, ResourceSettings } from './settings.js';

export const ENVIRONMENT_NAMES = ['development', 'testing', 'staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Requests and limits as [request, limit] pairs: CPU in millicores, memory in MiB. */
function resources(r: {
  readonly cpuMillis: readonly [number, number];
  readonly memoryMebibytes: readonly [number, number];
}): ResourceSettings {
  return {
    cpuRequestMillis: r.cpuMillis[0],
    cpuLimitMillis: r.cpuMillis[1],
    memoryRequestMebibytes: r.memoryMebibytes[0],
    memoryLimitMebibytes: r.memoryMebibytes[1],
  };
}

const small = resources({ cpuMillis: [50, 500], memoryMebibytes: [64, 256] });
const apiDev = resources({ cpuMillis: [100, 1000], memoryMebibytes: [192, 512] });
const apiProd = resources({ cpuMillis: [250, 1000], memoryMebibytes: [256, 512] });
const operatorResources = resources({ cpuMillis: [50, 500], memoryMebibytes: [128, 256] });
const postgresDev = resources({ cpuMillis: [100, 1000], memoryMebibytes: [256, 1024] });
const postgresProd = resources({ cpuMillis: [500, 2000], memoryMebibytes: [1024, 2048] });
const rabbitmqDev = resources({ cpuMillis: [100, 1000], memoryMebibytes: [256, 512] });
const rabbitmqProd = resources({ cpuMillis: [500, 1000], memoryMebibytes: [1024, 1024] });

/** Memcached's container for a `-m` of `memoryMebibytes`: see MemcachedSettings.resources. */
function memcachedResources(memoryMebibytes: number): ResourceSettings {
  const memory = memoryMebibytes + Math.max(64, Math.ceil(memoryMebibytes / 4));
  return { ...small, memoryRequestMebibytes: memory, memoryLimitMebibytes: memory };
}

const shared = {
  namespace: 'findash',
  monitoring: { releaseLabel: 'kube-prometheus-stack', prometheusNamespace: 'monitoring' },
  network: {
    ingressControllerNamespace: 'ingress-nginx',
    cloudNativePgNamespace: 'cnpg-system',
    rabbitmqOperatorNamespace: 'rabbitmq-system',
  },
} as const;

/** Local images are loaded into kind as findash:dev; released ones come from the registry. */
const LOCAL_IMAGE = 'findash:dev';
const RELEASED_IMAGE = `ghcr.io/findash/findash:${PRODUCT_VERSION}`;

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  development: {
    ...shared,
    name: 'development',
    image: LOCAL_IMAGE,
    api: {
      port: 8000,
      replicas: 1,
      resources: apiDev,
      logLevel: 'debug',
      cacheTtlSeconds: 60,
      seedDemo: true,
      externalHttpsEgress: false,
    },
    ingress: { host: 'findash.dev.localhost', className: 'nginx' },
    operator: { replicas: 1, leaderElection: false, resources: operatorResources },
    postgres: {
      kind: 'statefulset',
      storage: { medium: 'persistent', sizeMebibytes: 1024 },
      resources: postgresDev,
    },
    rabbitmq: { kind: 'statefulset', storageMebibytes: 512, resources: rabbitmqDev },
    memcached: { replicas: 1, memoryMebibytes: 64, resources: memcachedResources(64) },
    adminer: true,
    throwawayCredentials: true,
  },
  testing: {
    ...shared,
    name: 'testing',
    image: LOCAL_IMAGE,
    api: {
      port: 8001,
      replicas: 1,
      resources: apiDev,
      logLevel: 'info',
      cacheTtlSeconds: 300,
      seedDemo: false,
      externalHttpsEgress: false,
    },
    ingress: { host: 'findash.test.localhost', className: 'nginx' },
    operator: { replicas: 1, leaderElection: true, resources: operatorResources },
    postgres: {
      kind: 'statefulset',
      storage: { medium: 'memory', sizeMebibytes: 512 },
      resources: postgresDev,
    },
    rabbitmq: { kind: 'statefulset', storageMebibytes: 512, resources: rabbitmqDev },
    memcached: { replicas: 1, memoryMebibytes: 64, resources: memcachedResources(64) },
    adminer: false,
    throwawayCredentials: true,
  },
  staging: {
    ...shared,
    name: 'staging',
    image: RELEASED_IMAGE,
    api: {
      port: 8002,
      replicas: 2,
      autoscaling: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 70 },
      disruptionBudget: { minAvailable: 1 },
      resources: apiProd,
      logLevel: 'info',
      cacheTtlSeconds: 600,
      seedDemo: false,
      externalHttpsEgress: true,
    },
    ingress: {
      host: 'staging.findash.example.com',
      className: 'nginx',
      tls: { secretName: 'findash-staging-tls', clusterIssuer: 'letsencrypt-staging' },
    },
    operator: { replicas: 1, leaderElection: true, resources: operatorResources },
    postgres: { kind: 'cloudnative-pg', instances: 2, storageGibibytes: 10, resources: postgresProd },
    rabbitmq: { kind: 'operator', replicas: 1, storageGibibytes: 5, resources: rabbitmqProd },
    memcached: { replicas: 2, memoryMebibytes: 256, resources: memcachedResources(256) },
    adminer: false,
    throwawayCredentials: false,
  },
  production: {
    ...shared,
    name: 'production',
    image: RELEASED_IMAGE,
    api: {
      port: 8000,
      replicas: 3,
      autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 70 },
      disruptionBudget: { minAvailable: 2 },
      resources: apiProd,
      logLevel: 'info',
      cacheTtlSeconds: 600,
      seedDemo: false,
      externalHttpsEgress: true,
    },
    ingress: {
      host: 'findash.example.com',
      className: 'nginx',
      tls: { secretName: 'findash-tls', clusterIssuer: 'letsencrypt' },
    },
    operator: { replicas: 2, leaderElection: true, resources: operatorResources },
    postgres: {
      kind: 'cloudnative-pg',
      instances: 3,
      storageGibibytes: 50,
      resources: postgresProd,
      backup: {
        schedule: '0 0 2 * * *',
        destinationPath: 's3://findash-backups/production',
        retentionPolicy: '30d',
        credentialsSecret: 'findash-backup-s3',
      },
    },
    rabbitmq: { kind: 'operator', replicas: 3, storageGibibytes: 10, resources: rabbitmqProd },
    memcached: { replicas: 3, memoryMebibytes: 512, resources: memcachedResources(512) },
    adminer: false,
    throwawayCredentials: false,
  },
};

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}
