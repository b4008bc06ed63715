// Builds the cdk8s App of one environment: one Chart per concern, wired through the objects each
// chart exports. Chart dependencies order the output files (0000-namespace, ...), which is also a
// valid `kubectl apply -f dist/<env>/` order.
import { App, YamlOutputType } from 'cdk8s';
import { ENVIRONMENTS, type EnvironmentName } from './environments.js';
import type { EnvironmentSettings } from './settings.js';
import { ApiChart } from './charts/api.js';
import { MemcachedChart } from './charts/memcached.js';
import { MonitoringChart, loadMonitoringFiles } from './charts/monitoring.js';
import { NamespaceChart } from './charts/namespace.js';
import { NetworkPoliciesChart } from './charts/network-policies.js';
import { OperatorChart } from './charts/operator.js';
import { PostgresChart } from './charts/postgres.js';
import { RabbitmqChart } from './charts/rabbitmq.js';
import { GRAFANA_DASHBOARDS_DIR, PROMETHEUS_RULES_DIR } from './lib/paths.js';

/** A synthesized Kubernetes object, as `kubectl apply` would read it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

export interface SynthOptions {
  /** Overrides the environment's image (CI sets the tag it built). */
  readonly image?: string;
  /**
   * `statefulset` runs PostgreSQL and RabbitMQ as development's StatefulSets (one instance each, development's
   * sizing) where an environment names CloudNativePG or the RabbitMQ cluster operator: for a cluster without
   * those operators and with one small node (the repo's single-node cluster, where production's database
   * sizing alone would take half the CPU). FINDASH_BACKING_SERVICES=statefulset npm run synth.
   */
  readonly backingServices?: 'operators' | 'statefulset';
  readonly rulesDir?: string;
  readonly dashboardsDir?: string;
  /** Where warnings about skipped inputs go (default: stderr). */
  readonly warn?: (message: string) => void;
}

function settingsFor(name: EnvironmentName, options: SynthOptions): EnvironmentSettings {
  let env = ENVIRONMENTS[name];
  if (options.image) env = { ...env, image: options.image };
  if (options.backingServices === 'statefulset') env = withStatefulSetBackingServices(env);
  return env;
}

/** Development's StatefulSet PostgreSQL and RabbitMQ in place of operator-run ones. */
export function withStatefulSetBackingServices(env: EnvironmentSettings): EnvironmentSettings {
  const development = ENVIRONMENTS.development;
  return {
    ...env,
    postgres: env.postgres.kind === 'statefulset' ? env.postgres : development.postgres,
    rabbitmq: env.rabbitmq.kind === 'statefulset' ? env.rabbitmq : development.rabbitmq,
  };
}

export function buildApp(name: EnvironmentName, outdir: string, options: SynthOptions = {}): App {
  const env = settingsFor(name, options);
  const warn =
    options.warn ??
    ((message: string) => {
      console.warn(`[cdk8s ${name}] ${message}`);
    });
  const app = new App({
    outdir,
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
    outputFileExtension: '.yaml',
  });

  const namespace = new NamespaceChart(app, 'namespace', { env });
  const postgres = new PostgresChart(app, 'postgres', { env });
  const memcached = new MemcachedChart(app, 'memcached', { env });
  const rabbitmq = new RabbitmqChart(app, 'rabbitmq', { env });
  const operator = new OperatorChart(app, 'operator', { env, database: postgres.database });
  const api = new ApiChart(app, 'api', {
    env,
    database: postgres.database,
    cache: memcached.cache,
    amqp: rabbitmq.amqp,
  });
  const networkPolicies = new NetworkPoliciesChart(app, 'network-policies', {
    env,
    api,
    operator,
    database: postgres.database,
    cache: memcached.cache,
    amqp: rabbitmq.amqp,
  });
  const files = loadMonitoringFiles(
    options.rulesDir ?? PROMETHEUS_RULES_DIR,
    options.dashboardsDir ?? GRAFANA_DASHBOARDS_DIR,
    warn,
  );
  const monitoring = new MonitoringChart(app, 'monitoring', {
    env,
    targets: [
      { name: 'findash-api', component: 'api', metrics: api.metrics },
      { name: 'findash-operator', component: 'operator', metrics: operator.metrics },
      { name: 'findash-memcached', component: 'memcached', metrics: memcached.cache.metrics },
      { name: 'findash-rabbitmq', component: 'rabbitmq', metrics: rabbitmq.amqp.metrics },
      { name: 'findash-postgres', component: 'postgres', metrics: postgres.database.metrics },
    ],
    ...files,
  });

  // The operator chart carries the CRD and cluster RBAC, so it goes first after the namespace;
  // the data services come before the API that migrates against them on start.
  for (const chart of [operator, postgres, memcached, rabbitmq, api, networkPolicies, monitoring]) {
    chart.addDependency(namespace);
  }
  for (const chart of [postgres, memcached, rabbitmq]) chart.addDependency(operator);
  api.addDependency(postgres, memcached, rabbitmq);
  networkPolicies.addDependency(api);
  monitoring.addDependency(networkPolicies);
  return app;
}

/** Every object of environment `name`, in apply order, without writing anything. */
export function synthEnvironment(name: EnvironmentName, options: SynthOptions = {}): KubeObject[] {
  const app = buildApp(name, '/nonexistent', options);
  // synthYaml validates every construct (cdk8s-plus checks) the way `app.synth()` does.
  app.synthYaml();
  return app.charts.flatMap((chart) => chart.toJson() as KubeObject[]);
}

/** Writes environment `name` to `outdir`, one YAML file per chart. */
export function writeEnvironment(name: EnvironmentName, outdir: string, options: SynthOptions = {}): void {
  buildApp(name, outdir, options).synth();
}
