/**
 * `npm run e2e:k8s`: findash as real Pods on a single-node Kubernetes on this machine (root needed).
 *
 * 1. images: the Dockerfile's production target as findash:dev (buildah), the third-party images of
 *    ci/images/node-images.json and the pause image (ci/local-images.sh); cached between runs
 * 2. `cluster:up -- --nodes` from nothing: control plane, containerd, kubelet, kube-proxy, CoreDNS (a Pod),
 *    metrics-server, kube-router's NetworkPolicy controller
 * 3. `npm run k8s:dev` (ci/dev-cluster.sh: the README's one command, which ends in `ci/deploy.sh development`,
 *    cdk8s, with the image map): every Pod Ready, the deploy script's smoke test (a
 *    Tenant applied with kubectl reconciled by the operator, its token Secret used against the API), /health
 *    through the Service, the Tenant's credentials against the dashboard; the NetworkPolicies enforced (a Pod
 *    no policy admits is cut off from PostgreSQL and the API, the API reaches PostgreSQL)
 * 4. drills on development: a rollout whose image exits at start is rolled back automatically;
 *    ci/scripts/emergency-rollback.sh restores the previous revision
 * 5. `ci/deploy.sh production` (cdk8s, PostgreSQL and RabbitMQ as StatefulSets: no CloudNativePG or RabbitMQ
 *    operator here): every Pod Ready; the HPA scales the API up under ci/load-test.sh and back down; a drain of
 *    the node is refused by the API's PodDisruptionBudget
 * 6. `ci/deploy.sh development --helm` into its own namespace: every Pod Ready, smoke test
 * 7. `cluster:down`: no container, mount, network device or iptables rule of the node is left
 *
 * PASS/FAIL per check and "N passed, N failed" at the end (.ci/summary.mjs reads it). Output of every command:
 * .findash/e2e-k8s.log. E2E_K8S_KEEP=1 leaves the cluster up afterwards for a look around; E2E_K8S_REUSE=1
 * skips steps 1-2 and uses the running cluster.
 */
import path from 'node:path';

import {
  BROKEN_IMAGE,
  deploy,
  kubeconfig,
  kubectl,
  log,
  ok,
  report,
  root,
  run,
  SECOND_RELEASE,
} from './context.js';
import { cluster, images, teardown } from './cluster-lifecycle.js';
import { networkPolicyChecks } from './network-policy.js';
import { production } from './production.js';
import {
  apiUrl,
  deleteNamespace,
  deploymentImage,
  everyPodReady,
  httpStatus,
  tenantToken,
} from './queries.js';
import { lastLines } from './shell.js';

async function developmentCdk8s(): Promise<void> {
  report.step('development: npm run k8s:dev (ci/dev-cluster.sh -> ci/deploy.sh development, cdk8s)');
  const deployed = await report.run(
    'development: the one command (images and node up to date, deploy.sh rollout + operator + smoke test, how to reach the API)',
    async () => {
      const result = await run(
        'bash',
        ['ci/dev-cluster.sh', '--image', 'findash:dev', '--timeout', '600s'],
        undefined,
        1_800_000,
      );
      const told =
        result.stdout.includes('findash development runs as Pods') &&
        /curl http:\/\/\S+\/health/.test(result.stdout);
      return result.code === 0 && !told
        ? [false, 'deployed, but did not print how to reach the API']
        : ok(result, `all rolled out and smoke-tested in ${result.seconds.toFixed(0)} s`);
    },
  );
  await report.run('development: every Pod Ready', () => everyPodReady('findash', 120_000));
  if (!deployed) return;
  await report.run('development: /health healthy through the API Service', async () => {
    const url = await apiUrl('findash');
    const { status, body } = await httpStatus(`${url}/health`);
    return [status === 200 && body.includes('"healthy"'), `${url}/health -> ${status} ${body.slice(0, 120)}`];
  });
  await report.run(
    "development: the kubectl-applied Tenant's token reads its dashboard through the Service",
    async () => {
      const url = await apiUrl('findash');
      const { status, body } = await httpStatus(`${url}/financial/dashboard`, await tenantToken());
      return [status === 200, `GET /financial/dashboard -> ${status} ${body.slice(0, 100)}`];
    },
  );
  await networkPolicyChecks(report, kubectl, 'findash', 'findash:dev');
  await report.run(
    'development: cluster DNS (the CoreDNS Pod behind kube-dns) resolves a Service for a Pod',
    async () => {
      const name = 'findash-postgres.findash.svc.cluster.local';
      const lookup = await kubectl([
        '-n',
        'findash',
        'exec',
        'deployment/findash-api',
        '--',
        'node',
        '-e',
        "require('node:dns').lookup(process.argv[1], (e, a) => console.log(e ? e.code : a))",
        name,
      ]);
      // PostgreSQL's Service is headless (its StatefulSet's): the name resolves to the Pod, not to a ClusterIP.
      const service = await kubectl([
        '-n',
        'findash',
        'get',
        'service,endpoints',
        'findash-postgres',
        '-o',
        'jsonpath={.items[0].spec.clusterIP} {.items[1].subsets[*].addresses[*].ip}',
      ]);
      const [clusterIp = '', ...podIps] = service.stdout.trim().split(' ');
      const expected = clusterIp === 'None' ? podIps : [clusterIp];
      const address = lookup.stdout.trim();
      return [
        address !== '' && expected.includes(address),
        `${name} -> ${address || lastLines(lookup)} (${clusterIp === 'None' ? 'headless: its Pod' : 'its ClusterIP'} ${expected.join(', ')})`,
      ];
    },
  );
  await report.run('development: kubectl logs streams a Pod log through the kubelet', async () => {
    const result = await kubectl(['-n', 'findash', 'logs', 'deployment/findash-api', '--tail=400']);
    return [result.code === 0 && result.stdout.length > 0, `${result.stdout.split('\n').length} lines`];
  });
}

async function rollbackDrills(): Promise<void> {
  report.step('drills: automatic rollback of a failed rollout, emergency rollback');
  await report.run('drill: an image that exits at start is rolled back by deploy.sh', async () => {
    const before = await deploymentImage('findash', 'findash-api');
    const result = await deploy('development', ['--image', BROKEN_IMAGE, '--timeout', '90s', '--skip-smoke']);
    const after = await deploymentImage('findash', 'findash-api');
    const health = await httpStatus(`${await apiUrl('findash')}/health`).catch((e: unknown) => ({
      status: 0,
      body: String(e),
    }));
    const good = result.code === 1 && after === before && health.status === 200;
    return [good, `deploy.sh exit ${result.code}; image ${before} -> ${after}; /health ${health.status}`];
  });
  await report.run('drill: ci/scripts/emergency-rollback.sh restores the previous release', async () => {
    // A second good release (the same build under another tag) rolls both Deployments forward ...
    const release = await deploy('development', [
      '--image',
      SECOND_RELEASE,
      '--timeout',
      '180s',
      '--skip-smoke',
    ]);
    if (release.code !== 0) return ok(release, '');
    const forward = [
      await deploymentImage('findash', 'findash-api'),
      await deploymentImage('findash', 'findash-operator'),
    ];
    // ... and the emergency rollback takes both back to findash:dev.
    const result = await run('bash', [
      'ci/scripts/emergency-rollback.sh',
      'development',
      '--kubeconfig',
      kubeconfig,
      '--timeout',
      '180s',
    ]);
    const back = [
      await deploymentImage('findash', 'findash-api'),
      await deploymentImage('findash', 'findash-operator'),
    ];
    const health = await httpStatus(`${await apiUrl('findash')}/health`).catch((e: unknown) => ({
      status: 0,
      body: String(e),
    }));
    const good = result.code === 0 && back.every((image) => image === 'findash:dev') && health.status === 200;
    return [
      good,
      `exit ${result.code}; api, operator ${forward.join(', ')} -> ${back.join(', ')}; /health ${health.status}`,
    ];
  });
}

async function helmDevelopment(): Promise<void> {
  report.step('helm: ci/deploy.sh development --helm');
  await deleteNamespace('findash');
  // The cdk8s release's cluster-scoped objects (the operator's ClusterRole and binding, admission policies) carry
  // no Helm ownership, and Helm refuses to adopt them: remove them as a move from cdk8s to Helm must.
  await kubectl([
    'delete',
    'clusterrole,clusterrolebinding,validatingadmissionpolicy,validatingadmissionpolicybinding',
    '-l',
    'app.kubernetes.io/name=findash',
    '--ignore-not-found',
  ]);
  await report.run('helm development: deploy.sh --helm (rollout + operator + smoke test)', async () => {
    const result = await deploy('development', [
      '--helm',
      '--set',
      'image.repository=findash',
      '--set',
      'image.tag=dev',
      '--timeout',
      '600s',
    ]);
    return ok(result, `rolled out and smoke-tested in ${result.seconds.toFixed(0)} s`);
  });
  await report.run('helm development: every Pod Ready', () => everyPodReady('findash', 120_000));
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    report.check('e2e:k8s runs as root', false, 'a node runs containers: run it as root');
    console.log(report.summary());
    return 1;
  }
  const watchdog = setTimeout(
    () => {
      report.check('e2e:k8s finished in time', false, 'E2E_K8S_TIMEOUT_SECONDS passed');
      report.aborted = true;
    },
    Number(process.env.E2E_K8S_TIMEOUT_SECONDS ?? 3_600) * 1000,
  );
  watchdog.unref();
  try {
    // E2E_K8S_REUSE=1: use the images and the cluster that are there (a developer re-running the checks).
    const reuse = process.env.E2E_K8S_REUSE === '1';
    if (!reuse) await images();
    if (reuse || (await cluster())) {
      await developmentCdk8s();
      await rollbackDrills();
      await production();
      await helmDevelopment();
    }
  } finally {
    report.info(
      'ingress: no ingress controller runs here. Tried from Go modules: traefik v3.7.13/v3.1.7 (proxy 403 for github.com/traefik/traefik/dynamic/ext, github.com/abbot/go-http-auth and go-acme DNS-provider modules, which traefik takes through replace directives), skipper, haproxy-ingress, nginxinc kubernetes-ingress, caddy ingress (not served); contour is served but needs Envoy, ingress-nginx needs OpenResty. The API is reached through its Service (kube-proxy).',
    );
    if (process.env.E2E_K8S_KEEP === '1')
      report.info('E2E_K8S_KEEP=1: the cluster stays up (npm run cluster:down removes it)');
    else await teardown();
  }
  console.log(report.summary());
  console.log(`(commands and their output: ${path.relative(root, log)})`);
  return report.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
