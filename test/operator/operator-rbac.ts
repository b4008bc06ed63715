// The operator's RBAC as a cluster admin installs it (operator/rbac/*.yaml and its ServiceAccount), for the tests
// that run the operator with exactly those permissions and those that read them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

import { KubeClient } from '../../operator/kube/client.js';
import { KubeApiError } from '../../operator/kube/errors.js';
import type { KubeObject } from '../../operator/kube/types.js';
import { repoRoot } from '../harness/repo-root.js';
import { waitFor, type OperatorTestEnv } from './harness.js';

export const SA = { namespace: 'findash-system', name: 'findash-operator' };
export const SA_USER = `system:serviceaccount:${SA.namespace}:${SA.name}`;
/** The ClusterRole the operator binds to itself inside each tenant namespace (operator/rbac/). */
export const TENANT_NAMESPACE_ROLE = 'findash-operator-tenant-namespace';

const PLURALS: Record<string, string> = {
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ValidatingAdmissionPolicy: 'validatingadmissionpolicies',
  ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings',
};

/** Every object of operator/rbac/*.yaml, as a cluster admin would apply them. */
async function applyOperatorRbac(kube: OperatorTestEnv['kube']): Promise<void> {
  for (const { file, object: obj } of operatorRbacObjects()) {
    const plural = PLURALS[obj.kind];
    if (!plural) throw new Error(`operator/rbac/${file}: no test support for kind ${obj.kind}`);
    const ns = obj.metadata.namespace;
    const base = `/apis/${obj.apiVersion}`;
    await kube.apply(
      ns
        ? `${base}/namespaces/${ns}/${plural}/${obj.metadata.name}`
        : `${base}/${plural}/${obj.metadata.name}`,
      obj,
      'test',
    );
  }
}

/**
 * Admission policies take effect a moment after they are created (the API server compiles them in
 * the background, each on its own): wait until a RoleBinding the operator must not create, and a
 * label it must not put on a namespace that is not a tenant's, are both refused (dry run).
 */
async function waitForAdmissionPolicies(env: Pick<OperatorTestEnv, 'cp'>): Promise<void> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.cp.kubeconfigPath);
  const client = await KubeClient.create(kc, { impersonate: { user: SA_USER } });
  try {
    await waitFor(
      async () => {
        try {
          await client.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
            query: { dryRun: 'All' },
            body: {
              apiVersion: 'rbac.authorization.k8s.io/v1',
              kind: 'RoleBinding',
              metadata: { name: 'probe' },
              roleRef: {
                apiGroup: 'rbac.authorization.k8s.io',
                kind: 'ClusterRole',
                name: TENANT_NAMESPACE_ROLE,
              },
              subjects: [{ kind: 'ServiceAccount', name: SA.name, namespace: SA.namespace }],
            },
          });
          return false;
        } catch (err) {
          return err instanceof KubeApiError && /findash operator/.test(err.message);
        }
      },
      30_000,
      'the admission policies to take effect',
    );
    await waitFor(
      async () => {
        try {
          await client.request('PATCH', '/api/v1/namespaces/default', {
            query: { dryRun: 'All' },
            contentType: 'application/merge-patch+json',
            body: { metadata: { labels: { 'app.kubernetes.io/managed-by': 'findash-operator' } } },
          });
          return false;
        } catch (err) {
          return err instanceof KubeApiError && /findash operator/.test(err.message);
        }
      },
      30_000,
      'the namespace admission policy to take effect',
    );
  } finally {
    client.close();
  }
}

/** Every object of operator/rbac/*.yaml with the file it is in, as a cluster admin would apply them. */
export function operatorRbacObjects(): Array<{
  readonly file: string;
  readonly object: KubeObject & { apiVersion: string; kind: string };
}> {
  const dir = path.join(repoRoot(), 'operator', 'rbac');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => ({
        file,
        object: doc.toJS() as KubeObject & { apiVersion: string; kind: string },
      })),
    );
}

/** The ServiceAccount and operator/rbac/, applied, and the admission policies in force. */
export async function installOperatorRbac(env: Pick<OperatorTestEnv, 'cp' | 'kube'>): Promise<void> {
  await env.kube.apply(
    `/api/v1/namespaces/${SA.namespace}/serviceaccounts/${SA.name}`,
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: SA },
    'test',
  );
  await applyOperatorRbac(env.kube);
  await waitForAdmissionPolicies(env);
}
