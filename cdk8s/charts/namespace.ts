// The product namespace. Pod Security Admission warns and audits against the `restricted` profile
// (every findash pod meets it) while enforcing `baseline`, which the operator-managed data pods of
// staging and production (CloudNativePG, RabbitMQ) also meet.
import { Chart, type ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';

export interface NamespaceChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
}

export class NamespaceChart extends Chart {
  public constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, props);
    const { env } = props;
    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: env.namespace,
        labels: {
          'app.kubernetes.io/part-of': 'findash',
          'app.kubernetes.io/managed-by': 'cdk8s',
          'findash.io/environment': env.name,
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
  }
}
