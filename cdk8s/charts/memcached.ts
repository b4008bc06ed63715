// Memcached for the dashboard cache, with the Prometheus memcached exporter as a sidecar. A
// StatefulSet in every environment: stable pod names give the API a fixed server list to hash keys
// over, so adding no replica reshuffles the cache by surprise.
import { Chart, type ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';
import { selectorLabels } from '../lib/labels.js';
import { StatefulService, exporterLiveness } from '../lib/stateful-service.js';
import type { CacheWiring } from '../lib/wiring.js';

export const MEMCACHED_IMAGE = 'memcached:1.6.39-alpine';
export const MEMCACHED_EXPORTER_IMAGE = 'quay.io/prometheus/memcached-exporter:v0.15.3';

const NAME = 'findash-memcached';
const PORT = 11211;
const METRICS_PORT = 9150;
/** uid/gid of the memcache user in the official image. */
const MEMCACHE_USER_ID = 11211;

const memcachedPort = k8s.IntOrString.fromString('memcached');
/** The probes of the memcached container; the Helm chart renders the same numbers. */
export const MEMCACHED_READINESS: k8s.Probe = {
  // Ready when memcached answers its protocol (busybox nc in the alpine image), not only accepts a connection.
  exec: {
    command: ['/bin/sh', '-c', `echo version | nc -w 1 127.0.0.1 ${String(PORT)} | grep -q '^VERSION'`],
  },
  periodSeconds: 5,
  timeoutSeconds: 1,
  failureThreshold: 2,
};
export const MEMCACHED_LIVENESS: k8s.Probe = {
  tcpSocket: { port: memcachedPort },
  initialDelaySeconds: 15,
  periodSeconds: 20,
  timeoutSeconds: 5,
  failureThreshold: 3,
};

export interface MemcachedChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
}

export class MemcachedChart extends Chart {
  public readonly cache: CacheWiring;

  public constructor(scope: Construct, id: string, props: MemcachedChartProps) {
    super(scope, id, props);
    const { env } = props;
    const settings = env.memcached;

    const set = new StatefulService(this, 'Memcached', {
      env,
      component: 'memcached',
      name: NAME,
      replicas: settings.replicas,
      user: MEMCACHE_USER_ID,
      // A shard per node, and a drain takes one shard at a time: each lost shard is a cold slice of the cache.
      spreadOverNodes: settings.replicas > 1,
      maxUnavailable: settings.replicas > 1 ? 1 : undefined,
      ports: [
        { name: 'memcached', port: PORT },
        { name: 'metrics', port: METRICS_PORT },
      ],
      containers: [
        {
          name: 'memcached',
          image: MEMCACHED_IMAGE,
          args: ['-m', String(settings.memoryMebibytes), '-c', '1024', '-p', String(PORT), '-U', '0'],
          ports: [{ name: 'memcached', containerPort: PORT }],
          // Readiness reacts within seconds (the pod's DNS name goes away, clients treat it as a miss);
          // liveness restarts only a memcached that has stopped accepting connections for a minute, since a
          // restart empties the shard.
          readinessProbe: MEMCACHED_READINESS,
          livenessProbe: MEMCACHED_LIVENESS,
          resources: settings.resources,
        },
        {
          name: 'exporter',
          image: MEMCACHED_EXPORTER_IMAGE,
          args: [`--memcached.address=127.0.0.1:${PORT}`, `--web.listen-address=:${METRICS_PORT}`],
          ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
          readinessProbe: { httpGet: { path: '/metrics', port: k8s.IntOrString.fromString('metrics') } },
          // Restarted when it stops answering: a hung exporter is otherwise a silent gap in the cache metrics.
          livenessProbe: exporterLiveness(),
          resources: {
            cpuRequestMillis: 10,
            cpuLimitMillis: 100,
            memoryRequestMebibytes: 16,
            memoryLimitMebibytes: 64,
          },
        },
      ],
    });

    const servers = Array.from(
      { length: settings.replicas },
      (_, i) => `${NAME}-${i}.${NAME}.${env.namespace}.svc:${PORT}`,
    ).join(',');
    this.cache = {
      servers,
      port: PORT,
      podSelector: set.podSelector,
      metrics: {
        serviceLabels: selectorLabels(env, 'memcached'),
        portName: 'metrics',
        port: METRICS_PORT,
        path: '/metrics',
        podSelector: set.podSelector,
      },
    };
  }
}
