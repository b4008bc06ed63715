// The one table of per-environment settings. Every chart reads its environment's row and nothing
// else, so a difference between environments is visible here and only here.
import { PRODUCT_VERSION } from './lib/paths.js';

export const ENVIRONMENT_NAMES = ['development', 'testing', 'staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** CPU in millicores, memory in MiB: requests are what the scheduler reserves, limits what the kernel enforces. */
export interface ResourceSettings {
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMebibytes: number;
  readonly memoryLimitMebibytes: number;
}

export interface AutoscalingSettings {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilisation (percent of the request) the HPA steers towards. */
  readonly targetCpuUtilization: number;
}

export interface ApiSettings {
  /** Container port, Service port and $PORT of the API. */
  readonly port: number;
  /** Fixed replica count; ignored when `autoscaling` is set (the HPA owns the count then). */
  readonly replicas: number;
  readonly autoscaling?: AutoscalingSettings;
  /** A PodDisruptionBudget keeps at least `minAvailable` API pods through voluntary disruptions. */
  readonly disruptionBudget?: { readonly minAvailable: number };
  readonly resources: ResourceSettings;
  readonly logLevel: LogLevel;
  /** DASHBOARD_CACHE_TTL in seconds. */
  readonly cacheTtlSeconds: number;
  /** SEED_DEMO: the API loads sample tenants and transactions on start. */
  readonly seedDemo: boolean;
  /**
   * Lets API pods reach HTTPS endpoints outside the cluster (JWKS, Sentry, OTLP). Off where nothing
   * external is configured, so a default-deny namespace stays closed.
   */
  readonly externalHttpsEgress: boolean;
}

export interface IngressSettings {
  readonly host: string;
  /** spec.ingressClassName. */
  readonly className: string;
  /** TLS terminates at the ingress on 443; the API behind it keeps its plain port. */
  readonly tls?: {
    readonly secretName: string;
    /** cert-manager ClusterIssuer that fills `secretName`; none means the Secret is provided. */
    readonly clusterIssuer?: string;
  };
}

export interface OperatorSettings {
  readonly replicas: number;
  /** LEADER_ELECTION; required whenever replicas > 1 so only one replica reconciles. */
  readonly leaderElection: boolean;
  readonly resources: ResourceSettings;
}

/** PostgreSQL 17 run by a plain StatefulSet (development, testing). */
export interface StatefulSetPostgresSettings {
  readonly kind: 'statefulset';
  /** `memory` keeps the data directory on tmpfs: fast, and gone with the pod (testing). */
  readonly storage: { readonly medium: 'persistent' | 'memory'; readonly sizeMebibytes: number };
  readonly resources: ResourceSettings;
}

/** PostgreSQL 17 run by the CloudNativePG operator (staging, production). */
export interface CloudNativePgSettings {
  readonly kind: 'cloudnative-pg';
  readonly instances: number;
  readonly storageGibibytes: number;
  readonly resources: ResourceSettings;
  /** Base backups to an S3-compatible object store on a schedule, WAL archived continuously. */
  readonly backup?: {
    /** Six-field cron (seconds first), as CloudNativePG's ScheduledBackup expects. */
    readonly schedule: string;
    readonly destinationPath: string;
    readonly retentionPolicy: string;
    /** Secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY for the object store. */
    readonly credentialsSecret: string;
  };
}

export type PostgresSettings = StatefulSetPostgresSettings | CloudNativePgSettings;

export type RabbitmqSettings =
  | { readonly kind: 'statefulset'; readonly storageMebibytes: number; readonly resources: ResourceSettings }
  | {
      /** A RabbitmqCluster run by the RabbitMQ cluster operator. */
      readonly kind: 'operator';
      readonly replicas: number;
      readonly storageGibibytes: number;
      readonly resources: ResourceSettings;
    };

export interface MemcachedSettings {
  readonly replicas: number;
  /** memcached -m: item memory; the container limit leaves headroom above it. */
  readonly memoryMebibytes: number;
  /**
   * Memory request = limit = item memory plus a quarter (at least 64 MiB) for connections and slab overhead:
   * a request below the configured cache lets the node overcommit, and the kernel OOM-kills the shard once
   * it fills (test/cdk8s/delivery.test.ts holds every environment to this).
   */
  readonly resources: ResourceSettings;
}

export interface MonitoringSettings {
  /** The `release` label kube-prometheus-stack's Prometheus selects ServiceMonitors and rules by. */
  readonly releaseLabel: string;
  /** Namespace Prometheus scrapes from; NetworkPolicies admit it to the metrics ports. */
  readonly prometheusNamespace: string;
}

export interface NetworkSettings {
  /** Namespace of the ingress controller allowed to reach the API. */
  readonly ingressControllerNamespace: string;
  /** Namespaces of the CloudNativePG and RabbitMQ operators, which talk to their instances. */
  readonly cloudNativePgNamespace: string;
  readonly rabbitmqOperatorNamespace: string;
}

export interface EnvironmentSettings {
  readonly name: EnvironmentName;
  readonly namespace: string;
  /** The findash image (API, operator and migrations share it). */
  readonly image: string;
  readonly api: ApiSettings;
  readonly ingress: IngressSettings;
  readonly operator: OperatorSettings;
  readonly postgres: PostgresSettings;
  readonly rabbitmq: RabbitmqSettings;
  readonly memcached: MemcachedSettings;
  /** Adminer, a database web UI for local development only. */
  readonly adminer: boolean;
  /**
   * Disposable local clusters carry throwaway credentials in the manifests; shared ones read every
   * credential from Secrets made by an operator (CloudNativePG, RabbitMQ) or a secret store.
   */
  readonly throwawayCredentials: boolean;
  readonly monitoring: MonitoringSettings;
  readonly network: NetworkSettings;
}

const small: ResourceSettings = {
  cpuRequestMillis: 50,
  cpuLimitMillis: 500,
  memoryRequestMebibytes: 64,
  memoryLimitMebibytes: 256,
};
const apiDev: ResourceSettings = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 192,
  memoryLimitMebibytes: 512,
};
const apiProd: ResourceSettings = {
  cpuRequestMillis: 250,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 256,
  memoryLimitMebibytes: 512,
};
const operatorResources: ResourceSettings = {
  cpuRequestMillis: 50,
  cpuLimitMillis: 500,
  memoryRequestMebibytes: 128,
  memoryLimitMebibytes: 256,
};
const postgresDev: ResourceSettings = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 256,
  memoryLimitMebibytes: 1024,
};
const postgresProd: ResourceSettings = {
  cpuRequestMillis: 500,
  cpuLimitMillis: 2000,
  memoryRequestMebibytes: 1024,
  memoryLimitMebibytes: 2048,
};
const rabbitmqDev: ResourceSettings = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 256,
  memoryLimitMebibytes: 512,
};
const rabbitmqProd: ResourceSettings = {
  cpuRequestMillis: 500,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 1024,
  memoryLimitMebibytes: 1024,
};

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
