// The findash API: Deployment (migrations run in an init container, so a new pod serves only after
// the schema it expects exists), Service, Ingress, and where the environment asks for it an HPA and
// a PodDisruptionBudget.
import { createHash } from 'node:crypto';
import { Chart, Duration, type ChartProps } from 'cdk8s';
import {
  ConfigMap,
  Deployment,
  DeploymentStrategy,
  Env,
  HorizontalPodAutoscaler,
  HttpIngressPathType,
  Ingress,
  IngressBackend,
  LabelSelector,
  Metric,
  MetricTarget,
  PercentOrAbsolute,
  Pods,
  Probe,
  Replicas,
  ScalingStrategy,
  Secret,
  Service,
  ServiceAccount,
  k8s,
  type ContainerProps,
} from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';
import { secretEnv } from '../lib/env-values.js';
import { spreadOverNodes } from '../lib/scheduling.js';
import { componentLabels, namespacedMeta, selectorLabels } from '../lib/labels.js';
import {
  FINDASH_USER,
  PLUS_PULL_POLICY,
  hardenPlusWorkload,
  plusContainerSecurity,
  plusPodSecurity,
  plusResources,
  plusTmpVolume,
} from '../lib/security.js';
import {
  API_SECRET,
  type AmqpWiring,
  type CacheWiring,
  type DatabaseWiring,
  type MetricsTarget,
} from '../lib/wiring.js';

const NAME = 'findash-api';
/**
 * METRICS_PORT: /metrics has a listener of its own, published by the Service as port `metrics` for the
 * ServiceMonitor; the Ingress routes only to `http`, so the scrape (and the database statistics behind it)
 * is never public. The Helm chart uses the same port (api.metricsPort).
 */
export const API_METRICS_PORT = 9464;
/** SHUTDOWN_GRACE_MS: how long the API drains in-flight requests after SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * SHUTDOWN_DRAIN_MS: after SIGTERM, /health/ready answers 503 while the API keeps serving this long, so the
 * Service endpoints drop the pod before it refuses connections. The Helm chart sets the same value
 * (api.shutdownDrainMs), so a rollout drains the same way whichever tool deployed it.
 */
export const SHUTDOWN_DRAIN_MS = 5_000;
/** Development-only admin token (see the PostgreSQL chart for why it lives in the manifests). */
// At least 24 characters, as the API requires (the Helm chart's development values carry the same token).
const DEV_ADMIN_TOKEN = 'findash-dev-admin-token-0001';

export interface ApiChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
  readonly database: DatabaseWiring;
  readonly cache: CacheWiring;
  readonly amqp: AmqpWiring;
}

export class ApiChart extends Chart {
  public readonly podSelector: Record<string, string>;
  public readonly port: number;
  public readonly metrics: MetricsTarget;

  public constructor(scope: Construct, id: string, props: ApiChartProps) {
    super(scope, id, props);
    const { env, database, cache, amqp } = props;
    const settings = env.api;
    this.podSelector = selectorLabels(env, 'api');
    this.port = settings.port;

    const configData: Record<string, string> = {
      FINDASH_ENV: env.name,
      PORT: String(settings.port),
      METRICS_PORT: String(API_METRICS_PORT),
      HOST: '0.0.0.0',
      LOG_LEVEL: settings.logLevel,
      DASHBOARD_CACHE_TTL: String(settings.cacheTtlSeconds),
      MEMCACHED_SERVERS: cache.servers,
      SEED_DEMO: String(settings.seedDemo),
      OTEL_SERVICE_NAME: NAME,
      SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
      SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN_MS),
      // The same settings the Helm chart's ConfigMap states (its values.yaml defaults).
      DATABASE_POOL_MAX: '10',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      DB_SLOW_QUERY_MS: '200',
      RATE_LIMIT_DEFAULT_RPM: '600',
      BODY_LIMIT_BYTES: '1048576',
      REQUEST_TIMEOUT_MS: '10000',
    };
    const config = new ConfigMap(this, 'Config', {
      metadata: namespacedMeta(env, 'api', `${NAME}-config`),
      data: configData,
    });
    if (env.throwawayCredentials) {
      new k8s.KubeSecret(this, 'Secret', {
        metadata: namespacedMeta(env, 'api', API_SECRET),
        stringData: { ADMIN_TOKEN: DEV_ADMIN_TOKEN },
      });
    }
    const adminToken = secretEnv(this, { name: API_SECRET, key: 'ADMIN_TOKEN' });
    const databaseUrl = secretEnv(this, database.appUrl);
    const ownerUrl = secretEnv(this, database.ownerUrl);

    const serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      metadata: namespacedMeta(env, 'api', NAME),
      automountToken: false,
    });

    const common: Pick<ContainerProps, 'image' | 'imagePullPolicy' | 'securityContext' | 'resources'> = {
      image: env.image,
      imagePullPolicy: PLUS_PULL_POLICY,
      securityContext: plusContainerSecurity(FINDASH_USER),
      resources: plusResources(settings.resources),
    };
    const tmp = plusTmpVolume(this);

    const deployment = new Deployment(this, 'Deployment', {
      metadata: namespacedMeta(env, 'api', NAME),
      podMetadata: {
        labels: componentLabels(env, 'api'),
        // Pods roll when their configuration changes, not only when the image does.
        annotations: { 'findash.io/config-hash': hash(configData) },
      },
      select: false,
      // The HPA owns the replica count where there is one; a fixed count here would fight it on every apply.
      replicas: settings.autoscaling ? undefined : settings.replicas,
      strategy: DeploymentStrategy.rollingUpdate({
        maxSurge: PercentOrAbsolute.absolute(1),
        maxUnavailable: PercentOrAbsolute.absolute(0),
      }),
      serviceAccount,
      securityContext: plusPodSecurity(FINDASH_USER),
      terminationGracePeriod: Duration.millis(SHUTDOWN_DRAIN_MS + SHUTDOWN_GRACE_MS + 15_000),
      initContainers: [
        {
          ...common,
          name: 'migrate',
          command: ['node', 'dist/app/cli.js', 'migrate'],
          envFrom: [Env.fromConfigMap(config)],
          // Migrations run as the owner and create the app role from DATABASE_URL's credentials.
          envVariables: { DATABASE_OWNER_URL: ownerUrl, DATABASE_URL: databaseUrl },
          volumeMounts: [{ path: '/tmp', volume: tmp }],
        },
      ],
      containers: [
        {
          ...common,
          name: 'api',
          command: ['node', '--import', './dist/app/telemetry.js', 'dist/app/server.js'],
          ports: [
            { name: 'http', number: settings.port },
            { name: 'metrics', number: API_METRICS_PORT },
          ],
          envFrom: [Env.fromConfigMap(config)],
          envVariables: {
            DATABASE_URL: databaseUrl,
            AMQP_URL: secretEnv(this, amqp.url),
            ADMIN_TOKEN: adminToken,
          },
          liveness: Probe.fromHttpGet('/health/live', {
            port: settings.port,
            periodSeconds: Duration.seconds(10),
            timeoutSeconds: Duration.seconds(3),
            failureThreshold: 3,
          }),
          readiness: Probe.fromHttpGet('/health/ready', {
            port: settings.port,
            periodSeconds: Duration.seconds(5),
            timeoutSeconds: Duration.seconds(3),
            failureThreshold: 2,
          }),
          startup: Probe.fromHttpGet('/health/live', {
            port: settings.port,
            periodSeconds: Duration.seconds(2),
            failureThreshold: 30,
          }),
          volumeMounts: [{ path: '/tmp', volume: tmp }],
        },
      ],
    });
    deployment.select(LabelSelector.of({ labels: this.podSelector }));
    // Preferred, not required: a small cluster still schedules every replica.
    if (settings.autoscaling || settings.replicas > 1) {
      spreadOverNodes(deployment, this.podSelector);
    }
    hardenPlusWorkload(deployment);

    const service = new Service(this, 'Service', {
      metadata: namespacedMeta(env, 'api', NAME),
      selector: Pods.select(this, 'Pods', { labels: this.podSelector }),
      ports: [
        { name: 'http', port: settings.port, targetPort: settings.port },
        { name: 'metrics', port: API_METRICS_PORT, targetPort: API_METRICS_PORT },
      ],
    });
    this.metrics = {
      serviceLabels: selectorLabels(env, 'api'),
      portName: 'metrics',
      port: API_METRICS_PORT,
      path: '/metrics',
      podSelector: this.podSelector,
    };

    const { tls } = env.ingress;
    new Ingress(this, 'Ingress', {
      metadata: {
        ...namespacedMeta(env, 'api', NAME),
        annotations: tls?.clusterIssuer ? { 'cert-manager.io/cluster-issuer': tls.clusterIssuer } : undefined,
      },
      className: env.ingress.className,
      rules: [
        {
          host: env.ingress.host,
          path: '/',
          pathType: HttpIngressPathType.PREFIX,
          backend: IngressBackend.fromService(service, { port: settings.port }),
        },
      ],
      tls: tls
        ? [{ hosts: [env.ingress.host], secret: Secret.fromSecretName(this, 'TlsSecret', tls.secretName) }]
        : undefined,
    });

    if (settings.autoscaling) {
      const { minReplicas, maxReplicas, targetCpuUtilization } = settings.autoscaling;
      new HorizontalPodAutoscaler(this, 'Autoscaler', {
        metadata: namespacedMeta(env, 'api', NAME),
        target: deployment,
        minReplicas,
        maxReplicas,
        metrics: [Metric.resourceCpu(MetricTarget.averageUtilization(targetCpuUtilization))],
        // Up fast (double, or +2 pods, per minute), down slowly after five calm minutes, so a
        // bursty dashboard load does not flap the replica count.
        scaleUp: {
          stabilizationWindow: Duration.seconds(0),
          strategy: ScalingStrategy.MAX_CHANGE,
          policies: [
            { replicas: Replicas.percent(100), duration: Duration.minutes(1) },
            { replicas: Replicas.absolute(2), duration: Duration.minutes(1) },
          ],
        },
        scaleDown: {
          stabilizationWindow: Duration.minutes(5),
          strategy: ScalingStrategy.MIN_CHANGE,
          policies: [{ replicas: Replicas.percent(25), duration: Duration.minutes(1) }],
        },
      });
    }

    if (settings.disruptionBudget) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: namespacedMeta(env, 'api', NAME),
        spec: {
          minAvailable: k8s.IntOrString.fromNumber(settings.disruptionBudget.minAvailable),
          selector: { matchLabels: this.podSelector },
        },
      });
    }
  }
}

function hash(data: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
}
