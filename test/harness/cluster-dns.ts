import { readFileSync } from 'node:fs';
import path from 'node:path';

import { kubectl, type ControlPlane } from './kube.js';
import { CLUSTER_DNS_ADDRESS } from './kube-pki.js';
import { repoRoot } from './repo-root.js';

// Cluster DNS as on kind and kubeadm clusters: CoreDNS as a Deployment in kube-system labelled
// k8s-app=kube-dns behind the kube-dns Service at CLUSTER_DNS_ADDRESS (the kubelet's clusterDNS). Being a
// Pod matters: NetworkPolicies open DNS to exactly that peer (namespace kube-system, k8s-app=kube-dns), so
// with policies enforced a resolver anywhere else would be cut off, as it would be on a real cluster.
// The image is the pinned CoreDNS module's binary on an empty image (ci/local-images.sh).

/** findash.local/coredns:<version of test/harness/go-tools/coredns/go.mod>, as ci/local-images.sh tags it. */
export function corednsImage(): string {
  const goMod = readFileSync(path.join(repoRoot(), 'test/harness/go-tools/coredns/go.mod'), 'utf8');
  const version = /^require github\.com\/coredns\/coredns v(\S+)$/m.exec(goMod)?.[1];
  if (!version) throw new Error('go-tools/coredns/go.mod does not require github.com/coredns/coredns');
  return `findash.local/coredns:${version}`;
}

const COREFILE = `.:53 {
    errors
    health :8080 {
        lameduck 5s
    }
    ready :8181
    prometheus :9153
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    forward . /etc/resolv.conf
    cache 30
    loop
}
`;

const labels = { 'k8s-app': 'kube-dns' };
const meta = (name: string) => ({ name, namespace: 'kube-system', labels });

function objects(image: string): object[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('coredns') },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns', labels },
      rules: [
        {
          apiGroups: [''],
          resources: ['endpoints', 'services', 'pods', 'namespaces'],
          verbs: ['list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('coredns'), data: { Corefile: COREFILE } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('coredns'),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            // Upstream resolution goes to the node's resolvers, not to itself.
            dnsPolicy: 'Default',
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                  { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
                resources: { requests: { cpu: '50m', memory: '70Mi' }, limits: { memory: '170Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
                },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('kube-dns'),
      spec: {
        clusterIP: CLUSTER_DNS_ADDRESS,
        selector: labels,
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
          { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' },
        ],
      },
    },
  ];
}

/** Applies CoreDNS and waits until it answers (its readiness probe passes). */
export async function startClusterDns(cp: ControlPlane, deadline: number): Promise<void> {
  await kubectl(
    cp,
    ['apply', '--server-side', '--field-manager=findash-node', '-f', '-'],
    objects(corednsImage())
      .map((o) => JSON.stringify(o))
      .join('\n'),
  );
  const seconds = Math.max(10, Math.round((deadline - Date.now()) / 1000));
  await kubectl(cp, [
    '-n',
    'kube-system',
    'rollout',
    'status',
    'deployment/coredns',
    `--timeout=${seconds}s`,
  ]);
}
