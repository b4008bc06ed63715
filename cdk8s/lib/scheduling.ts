// Spreading replicas over nodes, written the same way for every workload (and as the Helm chart writes it):
// a preferred pod anti-affinity on the hostname, selecting the workload's pods by its selector labels.
import { ApiObject, JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';

/** Preferred, not required: a small cluster still schedules every replica. */
export function oneReplicaPerNode(podSelector: Record<string, string>): {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: {
      weight: number;
      podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } };
    }[];
  };
} {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: 'kubernetes.io/hostname',
            labelSelector: { matchLabels: podSelector },
          },
        },
      ],
    },
  };
}

/**
 * Sets that affinity on a cdk8s-plus workload (whose own `scheduling.spread` selects by a cdk8s-internal
 * address label, which the chart could not reproduce).
 */
export function spreadOverNodes(workload: Construct, podSelector: Record<string, string>): void {
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.add('/spec/template/spec/affinity', oneReplicaPerNode(podSelector)),
  );
}
