// PostgreSQL 17 run by the CloudNativePG operator (staging, production): a Cluster with failover, in production
// scheduled backups to an object store, and a Service for the metrics every instance exposes.
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import {
  Cluster,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
  ScheduledBackup,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from '../imports/postgresql.cnpg.io.js';
import type { CloudNativePgSettings, EnvironmentSettings } from '../settings.js';
import { componentLabels, namespacedMeta, selectorLabels } from './labels.js';
import {
  POSTGRES_DATABASE,
  POSTGRES_METRICS_PORT,
  POSTGRES_NAME,
  POSTGRES_OWNER,
  databaseWiring,
} from './postgres.js';
import { resourceStrings } from './security.js';
import { API_SECRET, type DatabaseWiring } from './wiring.js';

export const CNPG_POSTGRES_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.6';

/** The Cluster and its companions, written into `scope` (the chart) itself, as postgresStatefulSet is. */
export function cloudNativePgCluster(
  scope: Construct,
  env: EnvironmentSettings,
  settings: CloudNativePgSettings,
): DatabaseWiring {
  const resources = resourceStrings(settings.resources);
  const { backup } = settings;
  new Cluster(scope, 'Cluster', {
    metadata: namespacedMeta(env, 'postgres', POSTGRES_NAME),
    spec: {
      instances: settings.instances,
      // Pinned to a PostgreSQL 17 minor: a major upgrade is a deliberate migration, not an image bump.
      imageName: CNPG_POSTGRES_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      seccompProfile: { type: 'RuntimeDefault' },
      enablePdb: settings.instances > 1,
      // The app secret (<name>-app) CloudNativePG generates holds the owner's `uri`.
      bootstrap: { initdb: { database: POSTGRES_DATABASE, owner: POSTGRES_OWNER } },
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
    new ScheduledBackup(scope, 'DailyBackup', {
      metadata: namespacedMeta(env, 'postgres', `${POSTGRES_NAME}-daily`),
      spec: {
        cluster: { name: POSTGRES_NAME },
        schedule: backup.schedule,
        method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
        backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
        immediate: true,
      },
    });
  }

  // CloudNativePG exposes metrics on every instance but creates no Service for them.
  const podSelector = { 'cnpg.io/cluster': POSTGRES_NAME };
  const metricsLabels = { ...selectorLabels(env, 'postgres'), 'findash.io/metrics': 'postgres' };
  new k8s.KubeService(scope, 'MetricsService', {
    metadata: { name: `${POSTGRES_NAME}-metrics`, namespace: env.namespace, labels: metricsLabels },
    spec: {
      selector: podSelector,
      ports: [
        {
          name: 'metrics',
          port: POSTGRES_METRICS_PORT,
          targetPort: k8s.IntOrString.fromNumber(POSTGRES_METRICS_PORT),
        },
      ],
    },
  });

  return databaseWiring({
    host: `${POSTGRES_NAME}-rw.${env.namespace}.svc`,
    appUrl: { name: API_SECRET, key: 'DATABASE_URL' },
    ownerUrl: { name: `${POSTGRES_NAME}-app`, key: 'uri' },
    podSelector,
    serviceLabels: metricsLabels,
  });
}
