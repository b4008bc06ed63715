import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { kubectl } from '../../test/harness/kube.js';
import { repoRoot } from '../../test/harness/repo-root.js';

/**
 * Tenants through kubectl, the way a platform engineer drives them: install the CRD, apply a
 * Tenant, wait for Ready, read the client's token from its Secret in tenant-<name>.
 */
type Kube = { kubeconfigPath: string };

export const CRD_FILE = path.join(repoRoot(), 'charts', 'findash', 'crds', 'findash.io_tenants.yaml');

export async function installCrd(kube: Kube): Promise<void> {
  await kubectl(kube, ['apply', '--server-side', '-f', CRD_FILE]);
  await kubectl(kube, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.findash.io']);
  await kubectl(kube, ['create', 'namespace', 'findash-system']).catch((error: unknown) => {
    if (!String(error).includes('AlreadyExists')) throw error;
  });
  // Established comes a moment before the resource is served; wait until a list works.
  for (let i = 0; ; i += 1) {
    try {
      await kubectl(kube, ['get', 'tenants']);
      return;
    } catch (error) {
      if (i > 100) throw error;
      await sleep(100);
    }
  }
}

export interface TenantManifest {
  readonly name: string;
  readonly type?: 'user' | 'organization';
  readonly baseCurrency?: string;
  readonly timezone?: string;
  readonly clients: ReadonlyArray<{ name: string; role: 'viewer' | 'analyst' | 'admin' }>;
  readonly requestsPerMinute?: number;
  readonly suspended?: boolean;
}

export function tenantYaml(t: TenantManifest): string {
  const lines = [
    'apiVersion: findash.io/v1alpha1',
    'kind: Tenant',
    'metadata:',
    `  name: ${t.name}`,
    'spec:',
    `  type: ${t.type ?? 'organization'}`,
    `  displayName: ${JSON.stringify(`Tenant ${t.name}`)}`,
    `  baseCurrency: ${t.baseCurrency ?? 'USD'}`,
    `  timezone: ${t.timezone ?? 'UTC'}`,
    `  suspended: ${String(t.suspended ?? false)}`,
    '  owners:',
    `    - kind: User`,
    `      name: owner@${t.name}.example`,
    '  apiClients:',
    ...t.clients.flatMap((c) => [`    - name: ${c.name}`, `      role: ${c.role}`]),
    '  deletionPolicy: Delete',
  ];
  if (t.requestsPerMinute) lines.push('  limits:', `    requestsPerMinute: ${t.requestsPerMinute}`);
  return lines.join('\n') + '\n';
}

export async function applyTenants(kube: Kube, tenants: readonly TenantManifest[]): Promise<string> {
  return kubectl(kube, ['apply', '-f', '-'], tenants.map(tenantYaml).join('---\n'));
}

export async function waitTenantReady(kube: Kube, name: string, timeoutSeconds = 60): Promise<void> {
  await kubectl(kube, ['wait', '--for=condition=Ready', `--timeout=${timeoutSeconds}s`, `tenant/${name}`]);
}

/** The client's token from Secret tenant-<name>/<client>-token (key `token`). */
export async function readToken(
  kube: Kube,
  tenant: string,
  client: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const b64 = await kubectl(kube, [
        '-n',
        `tenant-${tenant}`,
        'get',
        'secret',
        `${client}-token`,
        '-o',
        'jsonpath={.data.token}',
      ]);
      const token = Buffer.from(b64.trim(), 'base64').toString('utf8');
      if (token) return token;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`Secret tenant-${tenant}/${client}-token has no token`);
    await sleep(200);
  }
}
