import * as k8s from '@kubernetes/client-node';

import type { ControlPlane } from './kube.js';

// What the control-plane tests share: clients for a started ControlPlane (as its admin, or impersonating a
// user), the status code of a refused API call, and a poll until the apiserver catches up.

export const START_TIMEOUT = 120_000;

export function clientFor(cp: ControlPlane, impersonateUser?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  if (impersonateUser) {
    // What `kubectl --as` does: the admin authenticates, RBAC judges the impersonated user.
    kc.loadFromOptions({
      clusters: kc.clusters,
      contexts: [{ name: 'as', cluster: kc.clusters[0]!.name, user: 'as' }],
      currentContext: 'as',
      users: [{ ...kc.users[0]!, name: 'as', impersonateUser }],
    });
  }
  return kc;
}

export function statusCode(error: unknown): number | undefined {
  return error instanceof k8s.ApiException ? error.code : undefined;
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
