// The Tenant operator: its CRD (read from the file the operator work owns), a ServiceAccount with
// least-privilege RBAC, and the Deployment. With more than one replica, leader election decides
// which one reconciles; the others wait on the Lease.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, Chart, Duration, Include, type ChartProps } from 'cdk8s';
import {
  Deployment,
  EnvFieldPaths,
  EnvValue,
  LabelSelector,
  Pods,
  Probe,
  Service,
  ServiceAccount,
  k8s,
} from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import type { EnvironmentSettings } from '../settings.js';
import { secretEnv } from '../lib/env-values.js';
import { spreadOverNodes } from '../lib/scheduling.js';
import { componentLabels, namespacedMeta, selectorLabels } from '../lib/labels.js';
import { REPO_ROOT, tenantCrdPath } from '../lib/paths.js';
import {
  FINDASH_USER,
  PLUS_PULL_POLICY,
  hardenPlusWorkload,
  plusContainerSecurity,
  plusPodSecurity,
  plusResources,
  plusTmpVolume,
} from '../lib/security.js';
import type { DatabaseWiring, MetricsTarget } from '../lib/wiring.js';

const NAME = 'findash-operator';
const PORT = 8081;
const LEASE_NAME = 'findash-operator';
/** Bound to no one cluster-wide: the operator binds it to itself in each tenant namespace. */
const TENANT_NAMESPACE_ROLE = `${NAME}-tenant-namespace`;

/**
 * What the operator may do: the rules of operator/rbac/, the files the operator is tested under
 * (test/operator/rbac.test.ts runs it with exactly these), so there is one list.
 */
export const OPERATOR_CLUSTER_RULES: readonly k8s.PolicyRule[] = rbacRules('clusterrole.yaml', 'ClusterRole');

/** What it may do inside a tenant namespace, once it has bound this to itself there. */
export const OPERATOR_TENANT_NAMESPACE_RULES: readonly k8s.PolicyRule[] = rbacRules(
  'tenant-namespace-role.yaml',
  'ClusterRole',
);

/** The Lease of leader election, in the operator's own namespace only. */
export const OPERATOR_LEASE_RULES: readonly k8s.PolicyRule[] = rbacRules('leader-election-role.yaml', 'Role');

function rbacDocs(file: string, text?: string): Array<Record<string, unknown> & { kind?: string }> {
  const source = text ?? readFileSync(path.join(REPO_ROOT, 'operator', 'rbac', file), 'utf8');
  return parseAllDocuments(source).map((d) => d.toJS() as Record<string, unknown> & { kind?: string });
}

function rbacRules(file: string, kind: 'ClusterRole' | 'Role'): k8s.PolicyRule[] {
  const role = rbacDocs(file).find((d) => d.kind === kind) as { rules?: k8s.PolicyRule[] } | undefined;
  if (!role?.rules) throw new Error(`operator/rbac/${file} has no ${kind} with rules`);
  return role.rules;
}

/** The ServiceAccount the policies in operator/rbac/admission-policy.yaml are written for. */
export const POLICY_FILE_USER = 'system:serviceaccount:findash-system:findash-operator';

/**
 * operator/rbac/admission-policy.yaml (ValidatingAdmissionPolicies and their bindings) for the
 * operator's ServiceAccount in `namespace`: where it may create RoleBindings and Namespaces.
 */
export function operatorAdmissionPolicies(
  namespace: string,
): Array<{ kind: string; metadata: { name: string }; spec: Record<string, unknown> }> {
  const file = 'admission-policy.yaml';
  const text = readFileSync(path.join(REPO_ROOT, 'operator', 'rbac', file), 'utf8');
  if (!text.includes(POLICY_FILE_USER))
    throw new Error(`operator/rbac/${file} no longer names ${POLICY_FILE_USER}`);
  const user = `system:serviceaccount:${namespace}:${NAME}`;
  return rbacDocs(file, text.replaceAll(POLICY_FILE_USER, user)) as Array<{
    kind: string;
    metadata: { name: string };
    spec: Record<string, unknown>;
  }>;
}

export interface OperatorChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
  readonly database: DatabaseWiring;
}

export class OperatorChart extends Chart {
  public readonly podSelector: Record<string, string>;
  public readonly metrics: MetricsTarget;

  public constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id, props);
    const { env, database } = props;
    const settings = env.operator;
    if (settings.replicas > 1 && !settings.leaderElection) {
      throw new Error(`${env.name}: ${settings.replicas} operator replicas need leader election`);
    }
    this.podSelector = selectorLabels(env, 'operator');

    const crd = tenantCrdPath();
    if (!existsSync(crd)) {
      throw new Error(
        `The Tenant CRD is missing at ${crd}. It is written by the operator work ` +
          '(charts/findash/crds/findash.io_tenants.yaml); the manifests include that file as it is.',
      );
    }
    new Include(this, 'TenantCrd', { url: crd });

    const serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      metadata: namespacedMeta(env, 'operator', NAME),
      automountToken: true,
    });
    const subject: k8s.Subject = { kind: 'ServiceAccount', name: NAME, namespace: env.namespace };
    const clusterMeta = { name: NAME, labels: componentLabels(env, 'operator') };
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: clusterMeta,
      rules: [...OPERATOR_CLUSTER_RULES],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: clusterMeta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [subject],
    });
    new k8s.KubeClusterRole(this, 'TenantNamespaceRole', {
      metadata: { name: TENANT_NAMESPACE_ROLE, labels: componentLabels(env, 'operator') },
      rules: [...OPERATOR_TENANT_NAMESPACE_RULES],
    });
    // admissionregistration.k8s.io/v1 is newer than cdk8s-plus-27's imports, hence plain ApiObjects.
    for (const policy of operatorAdmissionPolicies(env.namespace)) {
      new ApiObject(this, `${policy.kind}-${policy.metadata.name}`, {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: policy.kind,
        metadata: { name: policy.metadata.name, labels: componentLabels(env, 'operator') },
        spec: policy.spec,
      });
    }
    const leaseRole = `${NAME}-leader-election`;
    new k8s.KubeRole(this, 'LeaseRole', {
      metadata: namespacedMeta(env, 'operator', leaseRole),
      rules: [...OPERATOR_LEASE_RULES],
    });
    new k8s.KubeRoleBinding(this, 'LeaseRoleBinding', {
      metadata: namespacedMeta(env, 'operator', leaseRole),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRole },
      subjects: [subject],
    });

    const deployment = new Deployment(this, 'Deployment', {
      metadata: namespacedMeta(env, 'operator', NAME),
      podMetadata: { labels: componentLabels(env, 'operator') },
      select: false,
      replicas: settings.replicas,
      serviceAccount,
      automountServiceAccountToken: true,
      securityContext: plusPodSecurity(FINDASH_USER),
      containers: [
        {
          name: 'operator',
          image: env.image,
          imagePullPolicy: PLUS_PULL_POLICY,
          command: ['node', 'dist/operator/main.js'],
          ports: [{ name: 'metrics', number: PORT }],
          securityContext: plusContainerSecurity(FINDASH_USER),
          resources: plusResources(settings.resources),
          envVariables: {
            // The operator writes tenants, RBAC rows and tokens: it connects as the owner.
            DATABASE_URL: secretEnv(this, database.ownerUrl),
            FINDASH_ENV: EnvValue.fromValue(env.name),
            LOG_LEVEL: EnvValue.fromValue(env.api.logLevel),
            OPERATOR_PORT: EnvValue.fromValue(String(PORT)),
            LEADER_ELECTION: EnvValue.fromValue(String(settings.leaderElection)),
            LEADER_ELECTION_NAMESPACE: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAMESPACE),
            LEASE_NAME: EnvValue.fromValue(LEASE_NAME),
            LEASE_DURATION_SECONDS: EnvValue.fromValue('15'),
            OPERATOR_CONCURRENCY: EnvValue.fromValue('4'),
            RESYNC_PERIOD_SECONDS: EnvValue.fromValue('300'),
            // Written into every tenant credentials Secret, so a token comes with where to use it.
            FINDASH_API_URL: EnvValue.fromValue(
              `${env.ingress.tls ? 'https' : 'http'}://${env.ingress.host}`,
            ),
            POD_NAME: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAME),
            // Who it is, for the RoleBinding it gives itself in each tenant namespace.
            POD_NAMESPACE: EnvValue.fromFieldRef(EnvFieldPaths.POD_NAMESPACE),
            SERVICE_ACCOUNT_NAME: EnvValue.fromFieldRef(EnvFieldPaths.SERVICE_ACCOUNT_NAME),
            TENANT_NAMESPACE_CLUSTER_ROLE: EnvValue.fromValue(TENANT_NAMESPACE_ROLE),
          },
          liveness: Probe.fromHttpGet('/healthz', { port: PORT, periodSeconds: Duration.seconds(10) }),
          readiness: Probe.fromHttpGet('/readyz', { port: PORT, periodSeconds: Duration.seconds(5) }),
          volumeMounts: [{ path: '/tmp', volume: plusTmpVolume(this) }],
        },
      ],
    });
    deployment.select(LabelSelector.of({ labels: this.podSelector }));
    if (settings.replicas > 1) spreadOverNodes(deployment, this.podSelector);
    hardenPlusWorkload(deployment);

    new Service(this, 'Service', {
      metadata: namespacedMeta(env, 'operator', NAME),
      selector: Pods.select(this, 'Pods', { labels: this.podSelector }),
      ports: [{ name: 'metrics', port: PORT, targetPort: PORT }],
    });
    this.metrics = {
      serviceLabels: this.podSelector,
      portName: 'metrics',
      port: PORT,
      path: '/metrics',
      podSelector: this.podSelector,
    };

    if (settings.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: namespacedMeta(env, 'operator', NAME),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.podSelector } },
      });
    }
  }
}
