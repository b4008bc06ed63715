// The shape of an environment's settings: what each chart may read from its row of environments.ts.
import type { EnvironmentName } from './environments.js';

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
