// What PostgreSQL is called wherever it runs (StatefulSet or CloudNativePG), and what the postgres chart tells
// the charts that use it.
import type { DatabaseWiring, SecretKeyRef } from './wiring.js';

export const POSTGRES_NAME = 'findash-postgres';
export const POSTGRES_DATABASE = 'findash';
export const POSTGRES_OWNER = 'findash';
export const POSTGRES_PORT = 5432;
export const POSTGRES_METRICS_PORT = 9187;

/** The wiring of a database at `host` whose URLs are in those Secret keys; Prometheus scrapes `serviceLabels`. */
export function databaseWiring(db: {
  readonly host: string;
  readonly appUrl: SecretKeyRef;
  readonly ownerUrl: SecretKeyRef;
  readonly podSelector: Record<string, string>;
  readonly serviceLabels: Record<string, string>;
}): DatabaseWiring {
  return {
    host: db.host,
    port: POSTGRES_PORT,
    appUrl: db.appUrl,
    ownerUrl: db.ownerUrl,
    podSelector: db.podSelector,
    metrics: {
      serviceLabels: db.serviceLabels,
      portName: 'metrics',
      port: POSTGRES_METRICS_PORT,
      path: '/metrics',
      podSelector: db.podSelector,
    },
  };
}
