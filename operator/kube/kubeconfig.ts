import { existsSync } from 'node:fs';
import path from 'node:path';

import * as k8s from '@kubernetes/client-node';

/**
 * Where the operator finds its cluster: $KUBECONFIG, else the dev cluster's .findash/kubeconfig
 * (written by the local tooling), else the in-cluster service account.
 */
export function loadKubeConfig(
  kubeconfigPath: string | undefined,
  repoRoot: string,
): { kc: k8s.KubeConfig; source: string } {
  const kc = new k8s.KubeConfig();
  if (kubeconfigPath) {
    kc.loadFromFile(kubeconfigPath);
    return { kc, source: kubeconfigPath };
  }
  const local = path.join(repoRoot, '.findash', 'kubeconfig');
  if (existsSync(local)) {
    kc.loadFromFile(local);
    return { kc, source: local };
  }
  if (process.env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return { kc, source: 'in-cluster' };
  }
  throw new Error(
    'no Kubernetes configuration: set KUBECONFIG, create .findash/kubeconfig, or run in a pod with a service account',
  );
}
