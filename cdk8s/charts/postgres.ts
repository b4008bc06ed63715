// PostgreSQL 17. Development and testing run a plain StatefulSet (testing keeps the data directory on
// tmpfs); staging and production run a CloudNativePG Cluster with failover and, in production,
// scheduled backups to an object store. Development also gets Adminer.
import { Chart, Duration, type ChartProps } from 'cdk8s';
import { Deployment, EnvValue, LabelSelector, Pods, Probe, Service, k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type {
  CloudNativePgSettings,
  EnvironmentSettings,
  StatefulSetPostgresSettings,
} from '../environments.js';
import {
  Cluster,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
  ScheduledBackup,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from '../imports/postgresql.cnpg.io.js';
import { componentLabels, namespacedMeta, selectorLabels } from '../lib/labels.js';
import {
  PLUS_PULL_POLICY,
  hardenPlusWorkload,
  plusContainerSecurity,
  plusPodSecurity,
  plusResources,
  plusTmpVolume,
  resourceStrings,
} from '../lib/security.js';
import { StatefulService } from '../lib/stateful-service.js';
import { API_SECRET, type DatabaseWiring } from '../lib/wiring.js';

export const POSTGRES_IMAGE = 'postgres:17.6';
export const CNPG_POSTGRES_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.6';
export const POSTGRES_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1';
export const ADMINER_IMAGE = 'adminer:5.3.0';

const NAME = 'findash-postgres';
const DATABASE = 'findash';
const OWNER = 'findash';
const PORT = 5432;
const METRICS_PORT = 9187;
/** uid/gid of the postgres user in the official image. */
const POSTGRES_USER_ID = 999;
/** Adminer's image user is not numeric, so runAsNonRoot needs an explicit one: nobody. */
const ADMINER_USER_ID = 65534;

/**
 * Development-only credentials. They sit in the manifests because development and testing clusters
 * are disposable and local; staging and production get theirs from CloudNativePG and a secret store.
 */
const DEV_OWNER_PASSWORD = 'findash-dev-owner';
const DEV_APP_PASSWORD = 'findash-dev-app';

export interface PostgresChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
}

export class PostgresChart extends Chart {
  public readonly database: DatabaseWiring;

  public constructor(scope: Construct, id: string, props: PostgresChartProps) {
    super(scope, id, props);
    const { env } = props;
    this.database =
      env.postgres.kind === 'statefulset'
        ? this.statefulSet(env, env.postgres)
        : this.cloudNativePg(env, env.postgres);
    if (env.adminer) this.adminer(env);
  }

  private statefulSet(env: EnvironmentSettings, settings: StatefulSetPostgresSettings): DatabaseWiring {
    const credentials = `${NAME}-credentials`;
    new k8s.KubeSecret(this, 'Credentials', {
      metadata: namespacedMeta(env, 'postgres', credentials),
      stringData: { POSTGRES_PASSWORD: DEV_OWNER_PASSWORD },
    });
    const urls = 'findash-database';
    const host = `${NAME}.${env.namespace}.svc`;
    new k8s.KubeSecret(this, 'DatabaseUrls', {
      metadata: namespacedMeta(env, 'postgres', urls),
      stringData: {
        DATABASE_URL: `postgres://findash_app:${DEV_APP_PASSWORD}@${host}:${PORT}/${DATABASE}`,
        DATABASE_OWNER_URL: `postgres://${OWNER}:${DEV_OWNER_PASSWORD}@${host}:${PORT}/${DATABASE}`,
      },
    });

    const dataVolume: k8s.Volume | undefined =
      settings.storage.medium === 'memory'
        ? {
            name: 'data',
            emptyDir: {
              medium: 'Memory',
              sizeLimit: k8s.Quantity.fromString(`${settings.storage.sizeMebibytes}Mi`),
            },
          }
        : undefined;
    const password: k8s.EnvVar = {
      name: 'POSTGRES_PASSWORD',
      valueFrom: { secretKeyRef: { name: credentials, key: 'POSTGRES_PASSWORD' } },
    };
    const isReady = ['pg_isready', '-h', '127.0.0.1', '-U', OWNER, '-d', DATABASE];

    const set = new StatefulService(this, 'Postgres', {
      env,
      component: 'postgres',
      name: NAME,
      replicas: 1,
      user: POSTGRES_USER_ID,
      ports: [
        { name: 'postgres', port: PORT },
        { name: 'metrics', port: METRICS_PORT },
      ],
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: 'run', emptyDir: {} }, ...(dataVolume ? [dataVolume] : [])],
      volumeClaims:
        settings.storage.medium === 'persistent'
          ? [{ name: 'data', sizeMebibytes: settings.storage.sizeMebibytes }]
          : undefined,
      containers: [
        {
          name: 'postgres',
          image: POSTGRES_IMAGE,
          env: [
            { name: 'POSTGRES_USER', value: OWNER },
            { name: 'POSTGRES_DB', value: DATABASE },
            // A subdirectory, so initdb finds an empty directory even where the volume root has lost+found.
            { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
            password,
          ],
          ports: [{ name: 'postgres', containerPort: PORT }],
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/postgresql/data' },
            { name: 'run', mountPath: '/var/run/postgresql' },
          ],
          readinessProbe: {
            exec: { command: isReady },
            periodSeconds: 5,
            timeoutSeconds: 3,
            failureThreshold: 3,
          },
          // Readiness asks the server (pg_isready); liveness only that it still accepts connections, so a
          // database busy recovering is taken out of rotation but not restarted.
          livenessProbe: {
            tcpSocket: { port: k8s.IntOrString.fromString('postgres') },
            initialDelaySeconds: 30,
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 6,
          },
          resources: settings.resources,
        },
        {
          name: 'exporter',
          image: POSTGRES_EXPORTER_IMAGE,
          env: [
            { name: 'DATA_SOURCE_URI', value: `127.0.0.1:${PORT}/${DATABASE}?sslmode=disable` },
            { name: 'DATA_SOURCE_USER', value: OWNER },
            { name: 'DATA_SOURCE_PASS', valueFrom: password.valueFrom },
          ],
          ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
          readinessProbe: {
            httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') },
            periodSeconds: 10,
          },
          livenessProbe: {
            tcpSocket: { port: k8s.IntOrString.fromString('metrics') },
            initialDelaySeconds: 10,
            periodSeconds: 20,
          },
          resources: {
            cpuRequestMillis: 10,
            cpuLimitMillis: 200,
            memoryRequestMebibytes: 32,
            memoryLimitMebibytes: 128,
          },
        },
      ],
    });

    return {
      host,
      port: PORT,
      appUrl: { name: urls, key: 'DATABASE_URL' },
      ownerUrl: { name: urls, key: 'DATABASE_OWNER_URL' },
      podSelector: set.podSelector,
      metrics: {
        serviceLabels: selectorLabels(env, 'postgres'),
        portName: 'metrics',
        port: METRICS_PORT,
        path: '/metrics',
        podSelector: set.podSelector,
      },
    };
  }

  private cloudNativePg(env: EnvironmentSettings, settings: CloudNativePgSettings): DatabaseWiring {
    const resources = resourceStrings(settings.resources);
    const { backup } = settings;
    new Cluster(this, 'Cluster', {
      metadata: namespacedMeta(env, 'postgres', NAME),
      spec: {
        instances: settings.instances,
        // Pinned to a PostgreSQL 17 minor: a major upgrade is a deliberate migration, not an image bump.
        imageName: CNPG_POSTGRES_IMAGE,
        imagePullPolicy: 'IfNotPresent',
        seccompProfile: { type: 'RuntimeDefault' },
        enablePdb: settings.instances > 1,
        // The app secret (<name>-app) CloudNativePG generates holds the owner's `uri`.
        bootstrap: { initdb: { database: DATABASE, owner: OWNER } },
        storage: { size: `${settings.storageGibibytes}Gi` },
        resources: {
          requests: {
            cpu: ClusterSpecResourcesRequests.fromString(resources.requests.cpu),
            memory: ClusterSpecResourcesRequests.fromString(resources.requests.memory),
          },
          limits: {
            cpu: ClusterSpecResourcesLimits.fromString(resources.limits.cpu),
            memory: ClusterSpecResourcesLimits.fromString(resources.limits.memory),
          },
        },
        inheritedMetadata: { labels: componentLabels(env, 'postgres') },
        postgresql: { parameters: { log_min_duration_statement: '500ms', max_connections: '200' } },
        backup: backup
          ? {
              retentionPolicy: backup.retentionPolicy,
              barmanObjectStore: {
                destinationPath: backup.destinationPath,
                s3Credentials: {
                  accessKeyId: { name: backup.credentialsSecret, key: 'ACCESS_KEY_ID' },
                  secretAccessKey: { name: backup.credentialsSecret, key: 'ACCESS_SECRET_KEY' },
                },
              },
            }
          : undefined,
      },
    });
    if (backup) {
      new ScheduledBackup(this, 'DailyBackup', {
        metadata: namespacedMeta(env, 'postgres', `${NAME}-daily`),
        spec: {
          cluster: { name: NAME },
          schedule: backup.schedule,
          method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
          backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
          immediate: true,
        },
      });
    }

    // CloudNativePG exposes metrics on every instance but creates no Service for them.
    const podSelector = { 'cnpg.io/cluster': NAME };
    const metricsLabels = { ...selectorLabels(env, 'postgres'), 'findash.io/metrics': 'postgres' };
    new k8s.KubeService(this, 'MetricsService', {
      metadata: { name: `${NAME}-metrics`, namespace: env.namespace, labels: metricsLabels },
      spec: {
        selector: podSelector,
        ports: [
          { name: 'metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(METRICS_PORT) },
        ],
      },
    });

    return {
      host: `${NAME}-rw.${env.namespace}.svc`,
      port: PORT,
      appUrl: { name: API_SECRET, key: 'DATABASE_URL' },
      ownerUrl: { name: `${NAME}-app`, key: 'uri' },
      podSelector,
      metrics: {
        serviceLabels: metricsLabels,
        portName: 'metrics',
        port: METRICS_PORT,
        path: '/metrics',
        podSelector,
      },
    };
  }

  private adminer(env: EnvironmentSettings): void {
    const deployment = new Deployment(this, 'Adminer', {
      metadata: namespacedMeta(env, 'adminer', 'findash-adminer'),
      podMetadata: { labels: componentLabels(env, 'adminer') },
      select: false,
      replicas: 1,
      securityContext: plusPodSecurity(ADMINER_USER_ID),
      containers: [
        {
          name: 'adminer',
          image: ADMINER_IMAGE,
          imagePullPolicy: PLUS_PULL_POLICY,
          portNumber: 8080,
          envVariables: { ADMINER_DEFAULT_SERVER: EnvValue.fromValue(NAME) },
          securityContext: plusContainerSecurity(ADMINER_USER_ID),
          resources: plusResources({
            cpuRequestMillis: 10,
            cpuLimitMillis: 200,
            memoryRequestMebibytes: 32,
            memoryLimitMebibytes: 128,
          }),
          // Ready when it serves its login page; alive while it accepts connections.
          readiness: Probe.fromHttpGet('/', { port: 8080 }),
          liveness: Probe.fromTcpSocket({ port: 8080, periodSeconds: Duration.seconds(20) }),
          volumeMounts: [{ path: '/tmp', volume: plusTmpVolume(this, 'AdminerTmp') }],
        },
      ],
    });
    deployment.select(LabelSelector.of({ labels: selectorLabels(env, 'adminer') }));
    hardenPlusWorkload(deployment);
    new Service(this, 'AdminerService', {
      metadata: namespacedMeta(env, 'adminer', 'findash-adminer'),
      selector: Pods.select(this, 'AdminerPods', { labels: selectorLabels(env, 'adminer') }),
      ports: [{ name: 'http', port: 8080, targetPort: 8080 }],
    });
  }
}
