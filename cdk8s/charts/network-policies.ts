// NetworkPolicies: the namespace denies all traffic, then each component gets exactly the paths it
// uses. Peers come from the other charts' wiring, so a renamed label cannot silently open or close a path.
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';
import { selectorLabels } from '../lib/labels.js';
import {
  DNS_RULE,
  KUBE_API_RULE,
  TrafficPolicy,
  namespacePeer,
  podsPeer,
  type TrafficRule,
} from '../lib/traffic-policy.js';
import type { AmqpWiring, CacheWiring, DatabaseWiring, MetricsTarget } from '../lib/wiring.js';

/** CloudNativePG's instance manager serves status to the operator on this port. */
const CNPG_STATUS_PORT = 8000;
/** Erlang port mapper and inter-node distribution between RabbitMQ cluster members. */
const RABBITMQ_CLUSTER_PORTS = [{ port: 4369 }, { port: 25672 }];
const RABBITMQ_MANAGEMENT_PORT = 15672;

export interface NetworkPoliciesChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
  readonly api: {
    readonly podSelector: Record<string, string>;
    readonly port: number;
    readonly metrics: MetricsTarget;
  };
  readonly operator: { readonly podSelector: Record<string, string>; readonly metrics: MetricsTarget };
  readonly database: DatabaseWiring;
  readonly cache: CacheWiring;
  readonly amqp: AmqpWiring;
}

export class NetworkPoliciesChart extends Chart {
  public constructor(scope: Construct, id: string, props: NetworkPoliciesChartProps) {
    super(scope, id, props);
    const { env, api, operator, database, cache, amqp } = props;
    const prometheus = namespacePeer(env.monitoring.prometheusNamespace);
    const scrape = (metrics: MetricsTarget): TrafficRule => ({
      peers: [prometheus],
      ports: [{ port: metrics.port }],
    });
    const adminer = selectorLabels(env, 'adminer');

    new TrafficPolicy(this, 'DefaultDeny', {
      env,
      name: 'default-deny-all',
      podSelector: {},
      ingress: [],
      egress: [],
    });

    const apiEgress: TrafficRule[] = [
      DNS_RULE,
      { peers: [podsPeer(database.podSelector)], ports: [{ port: database.port }] },
      { peers: [podsPeer(cache.podSelector)], ports: [{ port: cache.port }] },
      { peers: [podsPeer(amqp.podSelector)], ports: [{ port: amqp.port }] },
    ];
    if (env.api.externalHttpsEgress) {
      apiEgress.push({ peers: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] });
    }
    new TrafficPolicy(this, 'Api', {
      env,
      component: 'api',
      name: 'findash-api',
      podSelector: api.podSelector,
      // Clients come through the ingress controller to the API port; Prometheus scrapes the metrics port only.
      ingress: [
        { peers: [namespacePeer(env.network.ingressControllerNamespace)], ports: [{ port: api.port }] },
        scrape(api.metrics),
      ],
      egress: apiEgress,
    });

    new TrafficPolicy(this, 'Operator', {
      env,
      component: 'operator',
      name: 'findash-operator',
      podSelector: operator.podSelector,
      ingress: [scrape(operator.metrics)],
      egress: [
        DNS_RULE,
        KUBE_API_RULE,
        { peers: [podsPeer(database.podSelector)], ports: [{ port: database.port }] },
      ],
    });

    const databaseClients = [podsPeer(api.podSelector), podsPeer(operator.podSelector)];
    if (env.adminer) databaseClients.push(podsPeer(adminer));
    const postgresIngress: TrafficRule[] = [
      { peers: databaseClients, ports: [{ port: database.port }] },
      scrape(database.metrics),
    ];
    const postgresEgress: TrafficRule[] = [DNS_RULE];
    if (env.postgres.kind === 'cloudnative-pg') {
      // Instances replicate from each other, report to the operator, and their instance manager
      // watches the API server; WAL archiving and base backups go to the object store over HTTPS.
      postgresIngress.push(
        { peers: [podsPeer(database.podSelector)], ports: [{ port: database.port }] },
        {
          peers: [namespacePeer(env.network.cloudNativePgNamespace)],
          ports: [{ port: CNPG_STATUS_PORT }, { port: database.port }],
        },
      );
      postgresEgress.push(KUBE_API_RULE, {
        peers: [podsPeer(database.podSelector)],
        ports: [{ port: database.port }],
      });
    }
    new TrafficPolicy(this, 'Postgres', {
      env,
      component: 'postgres',
      name: 'findash-postgres',
      podSelector: database.podSelector,
      ingress: postgresIngress,
      egress: postgresEgress,
    });

    new TrafficPolicy(this, 'Memcached', {
      env,
      component: 'memcached',
      name: 'findash-memcached',
      podSelector: cache.podSelector,
      ingress: [{ peers: [podsPeer(api.podSelector)], ports: [{ port: cache.port }] }, scrape(cache.metrics)],
    });

    const rabbitmqIngress: TrafficRule[] = [
      { peers: [podsPeer(api.podSelector)], ports: [{ port: amqp.port }] },
      scrape(amqp.metrics),
    ];
    const rabbitmqEgress: TrafficRule[] = [DNS_RULE];
    if (env.rabbitmq.kind === 'operator') {
      const members = podsPeer(amqp.podSelector);
      rabbitmqIngress.push(
        { peers: [members], ports: RABBITMQ_CLUSTER_PORTS },
        {
          peers: [namespacePeer(env.network.rabbitmqOperatorNamespace)],
          ports: [{ port: RABBITMQ_MANAGEMENT_PORT }],
        },
      );
      // Peer discovery asks the API server for the cluster's endpoints.
      rabbitmqEgress.push({ peers: [members], ports: RABBITMQ_CLUSTER_PORTS }, KUBE_API_RULE);
    }
    new TrafficPolicy(this, 'Rabbitmq', {
      env,
      component: 'rabbitmq',
      name: 'findash-rabbitmq',
      podSelector: amqp.podSelector,
      ingress: rabbitmqIngress,
      egress: rabbitmqEgress,
    });

    if (env.adminer) {
      new TrafficPolicy(this, 'Adminer', {
        env,
        component: 'adminer',
        name: 'findash-adminer',
        podSelector: adminer,
        egress: [DNS_RULE, { peers: [podsPeer(database.podSelector)], ports: [{ port: database.port }] }],
      });
    }
  }
}
