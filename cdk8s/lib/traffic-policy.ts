// One NetworkPolicy that opens named paths for one set of pods in a namespace that denies
// everything by default. Written on the k8s types because the peers here are mostly other
// namespaces (ingress controller, Prometheus, operators) and the API server's address.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { EnvironmentSettings } from '../settings.js';
import { componentLabels, partOfLabels, type Component } from './labels.js';

export interface PortSpec {
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

/** A peer and the ports the rule opens to or from it. */
export interface TrafficRule {
  readonly peers: readonly k8s.NetworkPolicyPeer[];
  readonly ports: readonly PortSpec[];
}

export interface TrafficPolicyProps {
  readonly env: EnvironmentSettings;
  /** The component the policy belongs to (labels only); none for namespace-wide policies. */
  readonly component?: Component;
  readonly name: string;
  /** The pods the policy applies to. */
  readonly podSelector: Record<string, string>;
  readonly ingress?: readonly TrafficRule[];
  readonly egress?: readonly TrafficRule[];
}

function toPorts(ports: readonly PortSpec[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

export class TrafficPolicy extends Construct {
  public constructor(scope: Construct, id: string, props: TrafficPolicyProps) {
    super(scope, id);
    const policyTypes = [...(props.ingress ? ['Ingress'] : []), ...(props.egress ? ['Egress'] : [])];
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.env.namespace,
        labels: props.component ? componentLabels(props.env, props.component) : partOfLabels(),
      },
      spec: {
        // An empty selector is written as {}: the canonical "every pod in the namespace".
        podSelector: Object.keys(props.podSelector).length > 0 ? { matchLabels: props.podSelector } : {},
        policyTypes,
        ingress: props.ingress?.map((r) => ({ from: [...r.peers], ports: toPorts(r.ports) })),
        egress: props.egress?.map((r) => ({ to: [...r.peers], ports: toPorts(r.ports) })),
      },
    });
  }
}

/** Pods of this namespace matching `labels`. */
export function podsPeer(labels: Record<string, string>): k8s.NetworkPolicyPeer {
  return { podSelector: { matchLabels: labels } };
}

/** Every pod of another namespace, by its immutable kubernetes.io/metadata.name label. */
export function namespacePeer(namespace: string): k8s.NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } };
}

/** Cluster DNS (kube-dns / CoreDNS in kube-system). */
export const DNS_RULE: TrafficRule = {
  peers: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};

/**
 * The Kubernetes API server. Its endpoint is a host address outside any pod selector and differs per
 * cluster, so the rule is by port only (443 via the kubernetes Service, 6443 on the endpoints).
 */
export const KUBE_API_RULE: TrafficRule = {
  peers: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
  ports: [{ port: 443 }, { port: 6443 }],
};
