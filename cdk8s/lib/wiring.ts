// What one chart tells another: where a dependency listens, which pods it runs in, and which Secret
// keys hold its URLs. Charts pass these instead of repeating names, so a rename happens in one place.

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** Where Prometheus scrapes a component, and the pods that must admit it. */
export interface MetricsTarget {
  /** Labels of the Service a ServiceMonitor selects. */
  readonly serviceLabels: Record<string, string>;
  /** Name of the Service port (ServiceMonitors refer to ports by name). */
  readonly portName: string;
  readonly port: number;
  readonly path: string;
  /** Pods serving the metrics, for the NetworkPolicy that admits Prometheus. */
  readonly podSelector: Record<string, string>;
}

export interface DatabaseWiring {
  readonly host: string;
  readonly port: number;
  /** DATABASE_URL: the API's role, which owns nothing and cannot bypass row-level security. */
  readonly appUrl: SecretKeyRef;
  /** DATABASE_OWNER_URL: the owner role migrations and the operator use. */
  readonly ownerUrl: SecretKeyRef;
  readonly podSelector: Record<string, string>;
  readonly metrics: MetricsTarget;
}

export interface AmqpWiring {
  readonly url: SecretKeyRef;
  readonly port: number;
  readonly podSelector: Record<string, string>;
  readonly metrics: MetricsTarget;
}

export interface CacheWiring {
  /** MEMCACHED_SERVERS: every instance, host:port, comma-separated (the client hashes keys across them). */
  readonly servers: string;
  readonly port: number;
  readonly podSelector: Record<string, string>;
  readonly metrics: MetricsTarget;
}

/** Secrets of staging and production that no manifest carries: created from a secret store. */
export const API_SECRET = 'findash-api';
