import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { kubeBinaries, kubectl, startControlPlane, type ControlPlane } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import {
  CHART_DIR,
  ENVIRONMENTS,
  find,
  helmBinary,
  parseObjects,
  renderChart,
  run,
  valuesFile,
} from './helm.js';
import { decode, renderedChart } from './rendered.js';

// The rendered objects applied with a server-side dry run to a real kube-apiserver that has the Tenant and
// prometheus-operator CRDs installed, so every field is validated by the same code a cluster runs (OpenAPI
// schemas, CRD schemas, defaulting); upgrades, the operator's rights, and helm install.

const { objects, renderedText } = renderedChart();

describe('against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let work: string;

  beforeAll(async () => {
    cp = await startControlPlane();
    work = await mkdtemp(path.join(os.tmpdir(), 'findash-chart-'));
    // CRDs for real (as Helm's crds/ and the platform's operators would install them), then wait until served.
    const crdFiles = [
      path.join(CHART_DIR, 'crds', 'findash.io_tenants.yaml'),
      path.join(
        repoRoot(),
        'cdk8s',
        'crds',
        'prometheus-operator-v0.85.0',
        'monitoring.coreos.com_servicemonitors.yaml',
      ),
      path.join(
        repoRoot(),
        'cdk8s',
        'crds',
        'prometheus-operator-v0.85.0',
        'monitoring.coreos.com_prometheusrules.yaml',
      ),
    ];
    for (const file of crdFiles) await kubectl(cp, ['apply', '--server-side', '-f', file]);
    await kubectl(cp, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/tenants.findash.io',
      'crd/servicemonitors.monitoring.coreos.com',
      'crd/prometheusrules.monitoring.coreos.com',
    ]);
    await kubectl(cp, ['create', 'namespace', 'findash']);
  }, 180_000);

  afterAll(async () => {
    // undefined when beforeAll failed before the control plane started.
    await (cp as ControlPlane | undefined)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(ENVIRONMENTS)('%s: every rendered object passes a server-side dry-run apply', async (env) => {
    const file = path.join(work, `${env}.yaml`);
    await writeFile(file, renderedText.get(env)!);
    const out = await kubectl(cp, [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--field-manager=helm-test',
      '-f',
      file,
    ]);
    const applied = out.trim().split('\n');
    expect(applied).toHaveLength(objects(env).length);
    for (const line of applied) expect(line).toMatch(/ serverside-applied \(server dry run\)$/);
  });

  it('keeps generated credentials across upgrades (lookup of the installed Secret)', async () => {
    const first = find(objects('development'), 'Secret', 'findash');
    const file = path.join(work, 'secret.yaml');
    await writeFile(file, JSON.stringify(first));
    await kubectl(cp, ['apply', '--server-side', '-f', file]);
    const again = parseObjects(
      await renderChart('development', ['--dry-run=server', '--kubeconfig', cp.kubeconfigPath]),
    );
    expect(decode(find(again, 'Secret', 'findash'))).toEqual(decode(first));
  });

  it('lets the operator ServiceAccount provision a tenant and nothing beyond the contract', async () => {
    // Apply the RBAC objects and admission policies for real, then act as the operator's ServiceAccount.
    const rbac = objects('production').filter((o) =>
      [
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicyBinding',
      ].includes(o.kind),
    );
    const file = path.join(work, 'rbac.yaml');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }));
    await kubectl(cp, ['apply', '--server-side', '-f', file]);
    const as = ['--as=system:serviceaccount:findash:findash-operator'];
    // can-i answers on stdout and exits 1 for "no"; any other failure must not pass as a "no".
    const can = async (...args: string[]) => {
      const result = await run(kubeBinaries().kubectl, [
        '--kubeconfig',
        cp.kubeconfigPath,
        'auth',
        'can-i',
        ...as,
        ...args,
      ]);
      expect(result.stderr).not.toMatch(/error|doesn't have a resource type/i);
      return result.stdout.trim();
    };
    // A new RoleBinding and new admission policies take effect a moment after they are stored.
    const eventually = async (what: () => Promise<unknown>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await what();
        } catch (err) {
          if (attempt >= 100) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const refused = async (args: string[]) => {
      const error = await kubectl(cp, [...as, ...args]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect([args.join(' '), String(error)]).toEqual([args.join(' '), expect.stringMatching(/forbidden/i)]);
    };
    const grantSelf = (namespace: string) => [
      '-n',
      namespace,
      'create',
      'rolebinding',
      'findash-operator',
      '--clusterrole=findash-operator-tenant-namespace',
      '--serviceaccount=findash:findash-operator',
    ];

    // What reconciling a Tenant does, done for real under the operator's identity: the namespace,
    // then its own RoleBinding there, then the Secrets, Role and RoleBinding through that.
    const namespaceFile = path.join(work, 'tenant-namespace.json');
    await writeFile(
      namespaceFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'tenant-acme', labels: { 'app.kubernetes.io/managed-by': 'findash-operator' } },
      }),
    );
    await eventually(() => refused(['create', 'namespace', 'not-a-tenant']));
    await kubectl(cp, [...as, 'create', '-f', namespaceFile]);
    expect(await can('get', 'secrets', '-n', 'tenant-acme')).toBe('no');
    await kubectl(cp, [...as, ...grantSelf('tenant-acme')]);
    await eventually(() =>
      kubectl(cp, [
        ...as,
        '-n',
        'tenant-acme',
        'create',
        'secret',
        'generic',
        'dashboard-token',
        '--from-literal=token=t',
      ]),
    );
    // Creating a Role that grants `get` on Secrets passes RBAC's escalation check only because the operator holds it.
    await kubectl(cp, [
      ...as,
      '-n',
      'tenant-acme',
      'create',
      'role',
      'tenant-owners',
      '--verb=get,list',
      '--resource=secrets',
    ]);
    await kubectl(cp, [
      ...as,
      '-n',
      'tenant-acme',
      'create',
      'rolebinding',
      'tenant-owners',
      '--role=tenant-owners',
      '--user=alice@example.com',
    ]);
    expect(await can('patch', 'tenants.findash.io', '--subresource=status')).toBe('yes');
    expect(await can('update', 'tenants.findash.io', '--subresource=finalizers')).toBe('yes');
    expect(await can('create', 'leases.coordination.k8s.io', '-n', 'findash')).toBe('yes');
    expect(await can('update', 'leases.coordination.k8s.io/findash-operator', '-n', 'findash')).toBe('yes');

    // Least privilege: no workloads, no other leases, no cluster-wide RBAC, no deleting Tenants.
    expect(await can('create', 'deployments.apps', '-n', 'findash')).toBe('no');
    expect(await can('list', 'pods', '-n', 'findash')).toBe('no');
    expect(await can('update', 'leases.coordination.k8s.io/kube-scheduler', '-n', 'kube-system')).toBe('no');
    expect(await can('update', 'leases.coordination.k8s.io/other', '-n', 'findash')).toBe('no');
    expect(await can('create', 'clusterrolebindings')).toBe('no');
    expect(await can('delete', 'tenants.findash.io')).toBe('no');
    expect(await can('create', 'tenants.findash.io')).toBe('no');

    // Outside tenant namespaces: no Secrets, Roles or RoleBindings to read, and no way to let itself in.
    expect(await can('get', 'secrets', '-n', 'findash')).toBe('no');
    expect(await can('list', 'secrets', '--all-namespaces')).toBe('no');
    expect(await can('list', 'roles.rbac.authorization.k8s.io', '--all-namespaces')).toBe('no');
    expect(await can('get', 'rolebindings.rbac.authorization.k8s.io', '-n', 'kube-system')).toBe('no');
    await refused(grantSelf('kube-system'));
    await refused(grantSelf('findash'));
    await refused([
      '-n',
      'tenant-acme',
      'create',
      'rolebinding',
      'x',
      '--clusterrole=admin',
      '--user=mallory',
    ]);
    await refused(['delete', 'namespace', 'findash']);
  });

  it('installs with helm against the cluster and prints how to reach the API, add a tenant and read its token', async () => {
    // Another release name and namespace, so nothing the tests above created for real is in the way.
    await kubectl(cp, ['create', 'namespace', 'demo']);
    const result = await run(helmBinary(), [
      'install',
      'demo',
      CHART_DIR,
      '--namespace',
      'demo',
      '-f',
      valuesFile('development'),
      '--dry-run=server',
      '--kubeconfig',
      cp.kubeconfigPath,
    ]);
    expect(result.stderr.replace(/^.*symbolic link.*$/gm, '').trim()).toBe('');
    expect(result.code).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    expect(notes).toContain('export FINDASH_URL=http://findash.dev.localhost');
    expect(notes).toContain('kubectl -n demo rollout status deployment/demo-findash-api');
    expect(notes).toContain('kind: Tenant');
    expect(notes).toContain(
      "kubectl -n tenant-acme get secret dashboard-token -o jsonpath='{.data.token}' | base64 -d",
    );
    expect(notes).toContain('curl -s -H "Authorization: Bearer $TOKEN" $FINDASH_URL/financial/dashboard');

    // The Tenant example in NOTES is itself valid against the real CRD.
    const tenant = notes.slice(
      notes.indexOf('apiVersion: findash.io'),
      notes.indexOf('YAML\n', notes.indexOf('apiVersion: findash.io')),
    );
    const dedented = tenant.replace(/^ {3}/gm, '');
    const out = await kubectl(cp, ['apply', '--dry-run=server', '-f', '-'], dedented);
    expect(out).toContain('tenant.findash.io/acme created (server dry run)');
  });
});
