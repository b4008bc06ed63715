// A hardened StatefulSet behind a headless Service: the shape Memcached, RabbitMQ and PostgreSQL
// take where no operator runs them. cdk8s-plus-27's StatefulSet has no volumeClaimTemplates, so this
// construct writes the k8s objects directly and applies the shared pod hardening itself.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { EnvironmentSettings, ResourceSettings } from '../settings.js';
import { componentLabels, selectorLabels, type Component } from './labels.js';
import { oneReplicaPerNode } from './scheduling.js';
import {
  KUBE_TMP_MOUNT,
  KUBE_TMP_VOLUME,
  PULL_POLICY,
  kubeContainerSecurity,
  kubePodSecurity,
  kubeResources,
} from './security.js';

/** A container of the set: everything a k8s Container has except what hardening decides. */
export interface StatefulContainer extends Omit<
  k8s.Container,
  'securityContext' | 'imagePullPolicy' | 'resources'
> {
  readonly resources: ResourceSettings;
}

export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
}

export interface StatefulServiceProps {
  readonly env: EnvironmentSettings;
  readonly component: Component;
  /** Name of the StatefulSet and of its headless Service (pods are `<name>-<ordinal>.<name>`). */
  readonly name: string;
  readonly replicas: number;
  /** Numeric user every container runs as; it must own the image's data paths. */
  readonly user: number;
  readonly containers: readonly StatefulContainer[];
  /** Ports the headless Service publishes (named, so ServiceMonitors can refer to them). */
  readonly ports: readonly ServicePortSpec[];
  /** Pod volumes besides /tmp, which every pod gets. */
  readonly volumes?: readonly k8s.Volume[];
  /** One PersistentVolumeClaim per pod, mounted by name like a volume. */
  readonly volumeClaims?: readonly { readonly name: string; readonly sizeMebibytes: number }[];
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Prefer one pod per node (preferred podAntiAffinity on the hostname), so a node failing takes at
   * most one replica; preferred, not required, so a small cluster still schedules every pod.
   */
  readonly spreadOverNodes?: boolean;
  /** A PodDisruptionBudget letting voluntary disruptions (drains, upgrades) take this many pods at once. */
  readonly maxUnavailable?: number;
}

export class StatefulService extends Construct {
  /** Labels that select the pods of this set. */
  public readonly podSelector: Record<string, string>;
  /** The headless Service's name: also the DNS name clients use. */
  public readonly serviceName: string;

  public constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    super(scope, id);
    const { env, component, name } = props;
    this.podSelector = selectorLabels(env, component);
    this.serviceName = name;
    const labels = componentLabels(env, component);

    new k8s.KubeService(this, 'Service', {
      metadata: { name, namespace: env.namespace, labels },
      spec: {
        clusterIp: 'None',
        selector: this.podSelector,
        ports: props.ports.map((p) => ({
          name: p.name,
          port: p.port,
          targetPort: k8s.IntOrString.fromString(p.name),
        })),
      },
    });

    new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name, namespace: env.namespace, labels },
      spec: {
        serviceName: name,
        replicas: props.replicas,
        selector: { matchLabels: this.podSelector },
        podManagementPolicy: 'Parallel',
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: kubePodSecurity(props.user),
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
            affinity: props.spreadOverNodes ? oneReplicaPerNode(this.podSelector) : undefined,
            containers: props.containers.map((c) => ({
              ...c,
              imagePullPolicy: PULL_POLICY,
              securityContext: kubeContainerSecurity(props.user),
              resources: kubeResources(c.resources),
              volumeMounts: [KUBE_TMP_MOUNT, ...(c.volumeMounts ?? [])],
            })),
            volumes: [KUBE_TMP_VOLUME, ...(props.volumes ?? [])],
          },
        },
        volumeClaimTemplates: props.volumeClaims?.map((claim) => ({
          metadata: { name: claim.name, labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: k8s.Quantity.fromString(`${claim.sizeMebibytes}Mi`) } },
          },
        })),
      },
    });

    if (props.maxUnavailable !== undefined) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name, namespace: env.namespace, labels },
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable),
          selector: { matchLabels: this.podSelector },
        },
      });
    }
  }
}

/** A metrics exporter sidecar is restarted when it stops accepting connections on its `metrics` port. */
export function exporterLiveness(): k8s.Probe {
  return {
    tcpSocket: { port: k8s.IntOrString.fromString('metrics') },
    initialDelaySeconds: 10,
    periodSeconds: 20,
  };
}
