import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { kubectl, startControlPlane, type ControlPlane } from '../harness/kube.js';
import { repoRoot } from '../harness/repo-root.js';
import { helmBinary, renderChart, run } from '../charts/helm.js';
import { runScript } from './run-script.js';

/**
 * ci/deploy.sh and ci/scripts/emergency-rollback.sh against a real kube-apiserver (test/harness/kube.ts).
 * The harness has no scheduler or kubelet, so pods never run: dry runs are checked end to end, and real
 * deploys are used to exercise the failure path (rollout never completes -> automatic rollback) for real.
 * The smoke-test step after a successful rollout needs running pods; ci/smoke-test.sh is tested on its own.
 */

const deploy = (args: string[]) => runScript('ci/deploy.sh', args, { HELM: helmBinary() });
const ENVIRONMENTS = ['development', 'testing', 'staging', 'production'];
const crd = (...parts: string[]) => path.join(repoRoot(), ...parts);
// The Tenant CRD and the third-party CRDs of a platform running findash (Prometheus, CloudNativePG and RabbitMQ operators).
const CRDS = [
  crd('charts', 'findash', 'crds', 'findash.io_tenants.yaml'),
  crd('cdk8s', 'crds', 'prometheus-operator-v0.85.0', 'monitoring.coreos.com_servicemonitors.yaml'),
  crd('cdk8s', 'crds', 'prometheus-operator-v0.85.0', 'monitoring.coreos.com_prometheusrules.yaml'),
  crd('cdk8s', 'crds', 'cloudnative-pg-v1.27.1', 'postgresql.cnpg.io_clusters.yaml'),
  crd('cdk8s', 'crds', 'cloudnative-pg-v1.27.1', 'postgresql.cnpg.io_scheduledbackups.yaml'),
  crd('cdk8s', 'crds', 'rabbitmq-cluster-operator-v2.15.0', 'rabbitmq.com_rabbitmqclusters.yaml'),
];

const image = async (cp: ControlPlane, namespace: string, name: string): Promise<string> =>
  kubectl(cp, [
    '-n',
    namespace,
    'get',
    'deployment',
    name,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  ]);

describe('ci/deploy.sh', () => {
  it('rejects an unknown environment with usage and exit code 2', async () => {
    const result = await deploy(['qa', '--dry-run']);
    expect(result.stderr).toContain(
      "unknown environment 'qa' (one of: development testing staging production)",
    );
    expect(result.stderr).toContain('Usage: ci/deploy.sh <development|testing|staging|production> [options]');
    expect(result.code).toBe(2);
  });

  describe('--dry-run against a real kube-apiserver', () => {
    let cp: ControlPlane;

    beforeAll(async () => {
      cp = await startControlPlane();
    }, 180_000);
    afterAll(async () => {
      await (cp as ControlPlane | undefined)?.stop();
    });

    it('refuses to dry-run into a cluster that was never deployed to, and says why', async () => {
      const result = await deploy(['testing', '--dry-run', '--helm', '--kubeconfig', cp.kubeconfigPath]);
      expect(result.stderr).toMatch(
        /namespace findash does not exist: a dry run validates namespaced objects only/,
      );
      expect(result.code).toBe(2);
      // The Tenant CRD step ran as a dry run too: nothing was created.
      await expect(kubectl(cp, ['get', 'crd', 'tenants.findash.io'])).rejects.toThrow(/NotFound/);
    });

    it('names the missing CRDs when the manifests use kinds the cluster does not serve', async () => {
      const result = await deploy(['production', '--dry-run', '--helm', '--kubeconfig', cp.kubeconfigPath]);
      expect(result.stderr).toMatch(/CRDs not installed: .*servicemonitors\.monitoring\.coreos\.com/);
      expect(result.code).toBe(2);
    });

    describe('on a prepared cluster (CRDs and namespace exist)', () => {
      beforeAll(async () => {
        for (const file of CRDS) await kubectl(cp, ['apply', '--server-side', '-f', file]);
        await kubectl(cp, [
          'wait',
          '--for=condition=Established',
          '--timeout=60s',
          ...CRDS.flatMap((f) => ['-f', f]),
        ]);
        await kubectl(cp, ['create', 'namespace', 'findash']);
      }, 120_000);

      it.each(ENVIRONMENTS)(
        '%s with --helm: the API server accepts every object and nothing is created',
        async (env) => {
          const result = await deploy([env, '--dry-run', '--helm', '--kubeconfig', cp.kubeconfigPath]);
          expect(result.stderr).toContain('dry run passed: the API server accepted every object');
          expect(result.stdout).toMatch(
            /^deployment\.apps\/findash-api serverside-applied \(server dry run\)$/m,
          );
          expect(result.stdout).toMatch(
            /^customresourcedefinition\.apiextensions\.k8s\.io\/tenants\.findash\.io serverside-applied \(server dry run\)$/m,
          );
          expect(result.code).toBe(0);
          expect(await kubectl(cp, ['-n', 'findash', 'get', 'deployments', '-o', 'name'])).toBe('');
        },
      );

      it.each(ENVIRONMENTS)(
        '%s with --cdk8s: applies the synthesized dist/<env> manifests as a dry run',
        async (env) => {
          const result = await deploy([env, '--dry-run', '--cdk8s', '--kubeconfig', cp.kubeconfigPath]);
          expect(result.stderr).toContain(`applying manifests from dist/${env}`);
          expect(result.stderr).toContain('dry run passed');
          expect(result.stdout).toMatch(/serverside-applied \(server dry run\)$/m);
          expect(result.stdout).not.toMatch(/error/i);
          expect(result.code).toBe(0);
          expect(await kubectl(cp, ['-n', 'findash', 'get', 'deployments', '-o', 'name'])).toBe('');
        },
      );

      it('uses a smoke-test Tenant that the real Tenant CRD accepts', async () => {
        const script = await readFile(path.join(repoRoot(), 'ci', 'deploy.sh'), 'utf8');
        const tenant = /<< 'YAML'[^\n]*\n([\s\S]*?)\nYAML\n/.exec(script)?.[1];
        expect(tenant).toContain('kind: Tenant');
        const out = await kubectl(cp, ['apply', '--dry-run=server', '-f', '-'], tenant);
        expect(out).toContain('tenant.findash.io/ci-smoke created (server dry run)');
      });

      it('fails a dry run when an object is invalid, naming it', async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'findash-bad-'));
        try {
          const rendered = await renderChart('testing');
          await writeFile(
            path.join(dir, 'all.yaml'),
            rendered.replace('maxUnavailable: 0', 'maxUnavailable: many'),
          );
          const result = await deploy([
            'testing',
            '--dry-run',
            '--manifests',
            dir,
            '--kubeconfig',
            cp.kubeconfigPath,
          ]);
          expect(result.code).not.toBe(0);
          expect(result.stderr).toMatch(/Deployment.*findash-api|findash-api.*Deployment/);
          expect(result.stderr).not.toContain('dry run passed');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    });
  });

  describe('a failed rollout rolls back automatically', () => {
    let cp: ControlPlane;
    let work: string;

    beforeAll(async () => {
      // The controller manager makes Deployments create ReplicaSets, i.e. the revisions `rollout undo` uses.
      cp = await startControlPlane({ withControllerManager: true });
      work = await mkdtemp(path.join(os.tmpdir(), 'findash-deploy-'));
    }, 180_000);
    afterAll(async () => {
      await (cp as ControlPlane | undefined)?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('with --helm: a release that never becomes ready is rolled back to the previous revision', async () => {
      const common = [
        '--helm',
        '--namespace',
        'helm-rb',
        '--kubeconfig',
        cp.kubeconfigPath,
        '--timeout',
        '2s',
        '--skip-smoke',
      ];
      // Migrations off: their hook Job would never finish on a cluster without a kubelet.
      const first = await deploy(['testing', ...common, '--set', 'migrations.enabled=false']);
      expect(first.stderr).toContain('deploy failed: statefulsets not ready within 2s');
      expect(first.stderr).toContain('first release: nothing to roll back to');
      expect(first.code).toBe(1);

      const second = await deploy([
        'testing',
        ...common,
        '--set',
        'migrations.enabled=false',
        '--image',
        'findash:broken',
      ]);
      expect(second.stderr).toContain('rolling back: helm rollback findash 1');
      expect(second.stderr).toContain('rolled back after: statefulsets not ready within 2s');
      expect(second.code).toBe(1);
      expect(await image(cp, 'helm-rb', 'findash-api')).toBe('findash:dev');
      const history = await run(helmBinary(), [
        '--kubeconfig',
        cp.kubeconfigPath,
        '-n',
        'helm-rb',
        'history',
        'findash',
        '-o',
        'json',
      ]);
      const revisions = JSON.parse(history.stdout) as { revision: number; description: string }[];
      expect(revisions.at(-1)).toMatchObject({ revision: 3, description: 'Rollback to 1' });
    }, 120_000);

    it('with manifests: kubectl rollout undo restores the previous api and operator, then emergency-rollback steps back', async () => {
      const dir = path.join(work, 'manifests');
      const manifests = path.join(dir, 'findash.yaml');
      await mkdir(dir, { recursive: true });
      // Plain manifests (no Helm), as cdk8s would produce them; hooks off so only long-running workloads remain.
      await writeFile(manifests, await renderChart('testing', ['--set', 'migrations.enabled=false']));
      const common = [
        '--manifests',
        dir,
        '--kubeconfig',
        cp.kubeconfigPath,
        '--timeout',
        '2s',
        '--skip-smoke',
      ];

      const first = await deploy(['testing', ...common]);
      expect(first.code).toBe(1);
      expect(await image(cp, 'findash', 'findash-api')).toBe('findash:dev');

      await writeFile(
        manifests,
        (await readFile(manifests, 'utf8')).replaceAll('"findash:dev"', '"findash:v2"'),
      );
      const second = await deploy(['testing', ...common]);
      expect(second.stderr).toContain('rolling back: kubectl rollout undo (api, operator)');
      expect(second.stdout).toMatch(/deployment\.apps\/findash-api rolled back/);
      expect(second.stdout).toMatch(/deployment\.apps\/findash-operator rolled back/);
      expect(second.code).toBe(1);
      expect(await image(cp, 'findash', 'findash-api')).toBe('findash:dev');
      expect(await image(cp, 'findash', 'findash-operator')).toBe('findash:dev');

      // The emergency script refuses the wrong environment before touching anything ...
      const wrong = await runScript('ci/scripts/emergency-rollback.sh', [
        'production',
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      expect(wrong.stderr).toContain('namespace findash runs findash testing, not production');
      expect(wrong.code).toBe(1);
      expect(await image(cp, 'findash', 'findash-api')).toBe('findash:dev');

      // ... and on the right one undoes the last change (the automatic rollback), printing the state.
      const emergency = await runScript('ci/scripts/emergency-rollback.sh', [
        'testing',
        '--kubeconfig',
        cp.kubeconfigPath,
        '--timeout',
        '2s',
      ]);
      expect(emergency.stderr).toMatch(/deployment\.apps\/findash-api: rolled back from revision 3/);
      expect(emergency.stdout).toContain('--- state after rollback');
      expect(emergency.stdout).toMatch(/findash-api\s+4\s+<none>\s+1\s+findash:v2/);
      // Pods never become ready here, so the wait fails and the script says so.
      expect(emergency.code).toBe(1);
      expect(await image(cp, 'findash', 'findash-api')).toBe('findash:v2');
    }, 120_000);
  });
});
