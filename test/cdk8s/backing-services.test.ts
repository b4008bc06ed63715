// FINDASH_BACKING_SERVICES=statefulset: staging and production without the CloudNativePG and RabbitMQ
// operators (the repo's single-node cluster runs production this way in npm run e2e:k8s).
import { describe, expect, it } from '@jest/globals';

import { synthEnvironment } from '../../cdk8s/app.js';

describe('FINDASH_BACKING_SERVICES=statefulset', () => {
  it.each(['staging', 'production'] as const)('%s runs PostgreSQL and RabbitMQ as StatefulSets', (name) => {
    const operators = synthEnvironment(name, { warn: () => undefined });
    const statefulSets = synthEnvironment(name, { backingServices: 'statefulset', warn: () => undefined });
    const kinds = (objects: typeof operators) =>
      objects.map((o) => `${o.apiVersion.split('/')[0]}/${o.kind}`);
    expect(kinds(operators)).toEqual(
      expect.arrayContaining(['postgresql.cnpg.io/Cluster', 'rabbitmq.com/RabbitmqCluster']),
    );
    expect(kinds(statefulSets).filter((k) => /cnpg|rabbitmq\.com/.test(k))).toEqual([]);
    const sets = statefulSets.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name);
    expect(sets).toEqual(expect.arrayContaining(['findash-postgres', 'findash-rabbitmq']));
    // Everything else stays the environment's own: the API's replicas, HPA and disruption budget.
    const count = (objects: typeof operators, kind: string) => objects.filter((o) => o.kind === kind).length;
    for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress', 'NetworkPolicy']) {
      expect(count(statefulSets, kind)).toBe(count(operators, kind));
    }
  });

  it('leaves development and testing as they are', () => {
    for (const name of ['development', 'testing'] as const) {
      expect(synthEnvironment(name, { backingServices: 'statefulset', warn: () => undefined })).toEqual(
        synthEnvironment(name, { warn: () => undefined }),
      );
    }
  });
});
