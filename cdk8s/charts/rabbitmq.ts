// RabbitMQ for audit events. Development and testing run one broker in a StatefulSet; staging and
// production declare a RabbitmqCluster and let the RabbitMQ cluster operator run it.
import { Chart, type ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings, RabbitmqSettings } from '../settings.js';
import {
  RabbitmqCluster,
  RabbitmqClusterSpecPersistenceStorage,
  RabbitmqClusterSpecResourcesLimits,
  RabbitmqClusterSpecResourcesRequests,
} from '../imports/rabbitmq.com.js';
import { namespacedMeta, selectorLabels } from '../lib/labels.js';
import { resourceStrings } from '../lib/security.js';
import { StatefulService } from '../lib/stateful-service.js';
import type { AmqpWiring } from '../lib/wiring.js';

/** The official image enables rabbitmq_prometheus (port 15692) by default. */
export const RABBITMQ_IMAGE = 'rabbitmq:4.1.4';
/** The cluster operator drives the management API, so its image must carry the management plugin. */
export const RABBITMQ_OPERATOR_IMAGE = 'rabbitmq:4.1.4-management';

const NAME = 'findash-rabbitmq';
const AMQP_PORT = 5672;
const METRICS_PORT = 15692;
/** uid/gid of the rabbitmq user in the official image. */
const RABBITMQ_USER_ID = 999;
const DEV_USER = 'findash';
/** Development-only password (see the PostgreSQL chart for why it lives in the manifests). */
const DEV_PASSWORD = 'findash-dev-rabbitmq';

export interface RabbitmqChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
}

export class RabbitmqChart extends Chart {
  public readonly amqp: AmqpWiring;

  public constructor(scope: Construct, id: string, props: RabbitmqChartProps) {
    super(scope, id, props);
    const { env } = props;
    this.amqp =
      env.rabbitmq.kind === 'statefulset'
        ? this.statefulSet(env, env.rabbitmq.storageMebibytes, env.rabbitmq.resources)
        : this.cluster(env, env.rabbitmq);
  }

  private statefulSet(
    env: EnvironmentSettings,
    storageMebibytes: number,
    resources: RabbitmqSettings['resources'],
  ): AmqpWiring {
    const secret = NAME;
    new k8s.KubeSecret(this, 'Credentials', {
      metadata: namespacedMeta(env, 'rabbitmq', secret),
      stringData: {
        RABBITMQ_DEFAULT_PASS: DEV_PASSWORD,
        AMQP_URL: `amqp://${DEV_USER}:${DEV_PASSWORD}@${NAME}.${env.namespace}.svc:${AMQP_PORT}/`,
      },
    });
    const set = new StatefulService(this, 'Rabbitmq', {
      env,
      component: 'rabbitmq',
      name: NAME,
      replicas: 1,
      user: RABBITMQ_USER_ID,
      ports: [
        { name: 'amqp', port: AMQP_PORT },
        { name: 'prometheus', port: METRICS_PORT },
      ],
      terminationGracePeriodSeconds: 60,
      // Its home holds the Erlang cookie and the message store: the claim keeps both across restarts.
      volumeClaims: [{ name: 'data', sizeMebibytes: storageMebibytes }],
      volumes: [{ name: 'logs', emptyDir: {} }],
      containers: [
        {
          name: 'rabbitmq',
          image: RABBITMQ_IMAGE,
          env: [
            { name: 'RABBITMQ_DEFAULT_USER', value: DEV_USER },
            {
              name: 'RABBITMQ_DEFAULT_PASS',
              valueFrom: { secretKeyRef: { name: secret, key: 'RABBITMQ_DEFAULT_PASS' } },
            },
          ],
          ports: [
            { name: 'amqp', containerPort: AMQP_PORT },
            { name: 'prometheus', containerPort: METRICS_PORT },
          ],
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/rabbitmq' },
            { name: 'logs', mountPath: '/var/log/rabbitmq' },
          ],
          readinessProbe: {
            tcpSocket: { port: k8s.IntOrString.fromString('amqp') },
            initialDelaySeconds: 10,
            periodSeconds: 10,
          },
          livenessProbe: {
            exec: { command: ['rabbitmq-diagnostics', '-q', 'ping'] },
            initialDelaySeconds: 60,
            periodSeconds: 30,
            timeoutSeconds: 15,
            failureThreshold: 4,
          },
          resources,
        },
      ],
    });
    return {
      url: { name: secret, key: 'AMQP_URL' },
      port: AMQP_PORT,
      podSelector: set.podSelector,
      metrics: {
        serviceLabels: selectorLabels(env, 'rabbitmq'),
        portName: 'prometheus',
        port: METRICS_PORT,
        path: '/metrics',
        podSelector: set.podSelector,
      },
    };
  }

  private cluster(
    env: EnvironmentSettings,
    settings: Extract<RabbitmqSettings, { kind: 'operator' }>,
  ): AmqpWiring {
    const resources = resourceStrings(settings.resources);
    new RabbitmqCluster(this, 'Cluster', {
      metadata: namespacedMeta(env, 'rabbitmq', NAME),
      spec: {
        replicas: settings.replicas,
        image: RABBITMQ_OPERATOR_IMAGE,
        persistence: {
          storage: RabbitmqClusterSpecPersistenceStorage.fromString(`${settings.storageGibibytes}Gi`),
        },
        resources: {
          requests: {
            cpu: RabbitmqClusterSpecResourcesRequests.fromString(resources.requests.cpu),
            memory: RabbitmqClusterSpecResourcesRequests.fromString(resources.requests.memory),
          },
          limits: {
            cpu: RabbitmqClusterSpecResourcesLimits.fromString(resources.limits.cpu),
            memory: RabbitmqClusterSpecResourcesLimits.fromString(resources.limits.memory),
          },
        },
        // The operator's pods run as uid 999 already; this adds the seccomp profile the namespace's
        // restricted warning asks for. (`containers` is required by the schema; empty merges nothing.)
        override: {
          statefulSet: {
            spec: {
              template: {
                spec: {
                  containers: [],
                  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                },
              },
            },
          },
        },
        rabbitmq: {
          // Quorum queues need a majority: keep publishing safe while one node is down.
          additionalConfig:
            'cluster_partition_handling = pause_minority\nvm_memory_high_watermark.relative = 0.7\n',
        },
      },
    });
    // The operator labels its pods and Service app.kubernetes.io/name=<cluster name>.
    const operatorLabels = { 'app.kubernetes.io/name': NAME };
    return {
      url: { name: `${NAME}-default-user`, key: 'connection_string' },
      port: AMQP_PORT,
      podSelector: operatorLabels,
      metrics: {
        serviceLabels: operatorLabels,
        portName: 'prometheus',
        port: METRICS_PORT,
        path: '/metrics',
        podSelector: operatorLabels,
      },
    };
  }
}
