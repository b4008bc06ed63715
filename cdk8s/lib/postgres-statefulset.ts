// PostgreSQL 17 as a plain StatefulSet with a postgres_exporter sidecar (development and testing; testing keeps
// the data directory on tmpfs).
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings, StatefulSetPostgresSettings } from '../settings.js';
import { namespacedMeta, selectorLabels } from './labels.js';
import {
  POSTGRES_DATABASE,
  POSTGRES_METRICS_PORT,
  POSTGRES_NAME,
  POSTGRES_OWNER,
  POSTGRES_PORT,
  databaseWiring,
} from './postgres.js';
import { StatefulService, exporterLiveness } from './stateful-service.js';
import type { DatabaseWiring } from './wiring.js';

export const POSTGRES_IMAGE = 'postgres:17.6';
export const POSTGRES_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1';

/** uid/gid of the postgres user in the official image. */
const POSTGRES_USER_ID = 999;

/**
 * Development-only credentials. They sit in the manifests because development and testing clusters
 * are disposable and local; staging and production get theirs from CloudNativePG and a secret store.
 */
const DEV_OWNER_PASSWORD = 'findash-dev-owner';
const DEV_APP_PASSWORD = 'findash-dev-app';

/**
 * The StatefulSet, its credentials and URL Secrets, written into `scope` (the chart) itself: a construct of its
 * own would change the objects' construct paths, and with them the synthesized manifests.
 */
export function postgresStatefulSet(
  scope: Construct,
  env: EnvironmentSettings,
  settings: StatefulSetPostgresSettings,
): DatabaseWiring {
  const credentials = `${POSTGRES_NAME}-credentials`;
  new k8s.KubeSecret(scope, 'Credentials', {
    metadata: namespacedMeta(env, 'postgres', credentials),
    stringData: { POSTGRES_PASSWORD: DEV_OWNER_PASSWORD },
  });
  const urls = 'findash-database';
  const host = `${POSTGRES_NAME}.${env.namespace}.svc`;
  new k8s.KubeSecret(scope, 'DatabaseUrls', {
    metadata: namespacedMeta(env, 'postgres', urls),
    stringData: {
      DATABASE_URL: `postgres://findash_app:${DEV_APP_PASSWORD}@${host}:${POSTGRES_PORT}/${POSTGRES_DATABASE}`,
      DATABASE_OWNER_URL: `postgres://${POSTGRES_OWNER}:${DEV_OWNER_PASSWORD}@${host}:${POSTGRES_PORT}/${POSTGRES_DATABASE}`,
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
  const isReady = ['pg_isready', '-h', '127.0.0.1', '-U', POSTGRES_OWNER, '-d', POSTGRES_DATABASE];

  const set = new StatefulService(scope, 'Postgres', {
    env,
    component: 'postgres',
    name: POSTGRES_NAME,
    replicas: 1,
    user: POSTGRES_USER_ID,
    ports: [
      { name: 'postgres', port: POSTGRES_PORT },
      { name: 'metrics', port: POSTGRES_METRICS_PORT },
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
          { name: 'POSTGRES_USER', value: POSTGRES_OWNER },
          { name: 'POSTGRES_DB', value: POSTGRES_DATABASE },
          // A subdirectory, so initdb finds an empty directory even where the volume root has lost+found.
          { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
          password,
        ],
        ports: [{ name: 'postgres', containerPort: POSTGRES_PORT }],
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
          {
            name: 'DATA_SOURCE_URI',
            value: `127.0.0.1:${POSTGRES_PORT}/${POSTGRES_DATABASE}?sslmode=disable`,
          },
          { name: 'DATA_SOURCE_USER', value: POSTGRES_OWNER },
          { name: 'DATA_SOURCE_PASS', valueFrom: password.valueFrom },
        ],
        ports: [{ name: 'metrics', containerPort: POSTGRES_METRICS_PORT }],
        readinessProbe: {
          httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') },
          periodSeconds: 10,
        },
        livenessProbe: exporterLiveness(),
        resources: {
          cpuRequestMillis: 10,
          cpuLimitMillis: 200,
          memoryRequestMebibytes: 32,
          memoryLimitMebibytes: 128,
        },
      },
    ],
  });

  return databaseWiring({
    host,
    appUrl: { name: urls, key: 'DATABASE_URL' },
    ownerUrl: { name: urls, key: 'DATABASE_OWNER_URL' },
    podSelector: set.podSelector,
    serviceLabels: selectorLabels(env, 'postgres'),
  });
}
