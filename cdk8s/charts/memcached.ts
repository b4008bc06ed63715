// Memcached for the dashboard cache, with the Prometheus memcached exporter as a sidecar. A
// StatefulSet in every environment: stable pod names give the API a fixed server list to hash keys
// over, so adding no replica reshuffles the cache by surprise.
import { Chart, type ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../environments.js';
import { selectorLabels } from '../lib/labels.js';
import { StatefulService } from '../lib/stateful-service.js';
import type { CacheWiring } from '../lib/wiring.js';

export const MEMCACHED_IMAGE = 'memcached:1.6.39-alpine';
export const MEMCACHED_EXPORTER_IMAGE = 'quay.io/prometheus/memcached-exporter:v0.15.3';

const NAME = 'findash-memcached';
const PORT = 11211;
const METRICS_PORT = 9150;
/** uid/gid of the memcache user in the official image. */
const MEMCACHE_USER_ID = 11211;

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
          readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('memcached') }, periodSeconds: 5 },
          livenessProbe: {
            tcpSocket: { port: k8s.IntOrString.fromString('memcached') },
            initialDelaySeconds: 10,
            periodSeconds: 10,
          },
          resources: settings.resources,
        },
        {
          name: 'exporter',
          image: MEMCACHED_EXPORTER_IMAGE,
          args: [`--memcached.address=127.0.0.1:${PORT}`, `--web.listen-address=:${METRICS_PORT}`],
          ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
          readinessProbe: { httpGet: { path: '/metrics', port: k8s.IntOrString.fromString('metrics') } },
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
