import { randomBytes } from 'node:crypto';

import { deploy, kubectl, ok, report, run } from './context.js';
import { apiUrl, deleteNamespace, everyPodReady, tenantToken } from './queries.js';
import { lastLines, poll } from './shell.js';

/**
 * Production with StatefulSet PostgreSQL and RabbitMQ (no CloudNativePG or RabbitMQ operator here): every Pod
 * Ready; the HPA scales the API up under ci/load-test.sh and back down; a drain of the node is refused by the
 * API's PodDisruptionBudget.
 */
export async function production(): Promise<void> {
  report.step('production: ci/deploy.sh production (cdk8s, StatefulSet PostgreSQL and RabbitMQ)');
  await deleteNamespace('findash');
  const synth = await run('npm', ['run', '--silent', 'synth', '--', 'production'], {
    FINDASH_BACKING_SERVICES: 'statefulset',
  });
  if (
    !report.check(
      'production: synth with FINDASH_BACKING_SERVICES=statefulset',
      synth.code === 0,
      lastLines(synth, 2),
    )
  )
    return;
  // Production reads ADMIN_TOKEN from a Secret a secret store provides; here, one made for the run.
  await kubectl(['create', 'namespace', 'findash']);
  await kubectl([
    '-n',
    'findash',
    'create',
    'secret',
    'generic',
    'findash-api',
    `--from-literal=ADMIN_TOKEN=${randomBytes(24).toString('base64url')}`,
  ]);
  const deployed = await report.run('production: deploy.sh (rollout + operator + smoke test)', async () => {
    const result = await deploy('production', ['--image', 'findash:dev', '--timeout', '600s'], {
      FINDASH_BACKING_SERVICES: 'statefulset',
    });
    return ok(result, `rolled out and smoke-tested in ${result.seconds.toFixed(0)} s`);
  });
  await report.run('production: every Pod Ready', () => everyPodReady('findash', 180_000));
  if (!deployed) return;
  const hpa = async (field: string) =>
    Number(
      (
        await kubectl([
          '-n',
          'findash',
          'get',
          'hpa',
          '-l',
          'app.kubernetes.io/component=api',
          '-o',
          `jsonpath={.items[0].${field}}`,
        ])
      ).stdout || 0,
    );
  const replicas = () => hpa('status.currentReplicas');
  // The Deployment starts at one replica and the HPA raises it to its minimum: wait for that first, so only
  // growth beyond the minimum counts as scaling under load.
  const minReplicas = await hpa('spec.minReplicas');
  await poll(async () => ((await replicas()) >= minReplicas ? true : undefined), 180_000, 5_000);
  await report.run('production: the HPA scales the API up under ci/load-test.sh', async () => {
    const url = await apiUrl('findash');
    // The load-test tenant's spec raises its rate limit, so the load is served, not answered 429.
    const tenant = await kubectl(['apply', '--server-side', '-f', 'ci/load-test-tenant.yaml']);
    if (tenant.code !== 0) return ok(tenant, '');
    await kubectl(['wait', 'tenant/ci-load', '--for=condition=Ready', '--timeout=120s']);
    const token = await tenantToken('ci-load', 'load');
    // Rounds of ci/load-test.sh on the tenant's dashboard (a viewer's read) until the HPA adds a replica or 7
    // minutes pass: the HPA acts on metrics-server samples of about a minute, so the load must last that long.
    const deadline = Date.now() + 420_000;
    let rounds = 0;
    let refused = 0;
    let scaled: number | undefined;
    let lastRound = '';
    while (scaled === undefined && Date.now() < deadline) {
      const round = await run('bash', ['ci/load-test.sh', url, token], {
        LOAD_REQUESTS: '6000',
        LOAD_CONNECTIONS: '16',
        LOAD_MAX_P99_MS: '100000',
        LOAD_MIN_RPS: '1',
      });
      rounds += 1;
      refused += Number(/failed or non-2xx: (\d+)/.exec(round.stdout)?.[1] ?? 6000);
      lastRound = /req\/s: \S+/.exec(round.stdout)?.[0] ?? lastLines(round, 2);
      const now = await replicas();
      if (now > minReplicas) scaled = now;
    }
    const figure = `replicas ${minReplicas} -> ${scaled ?? 'unchanged'} (HPA target 70% CPU) after ${rounds} rounds of 6000 requests (last ${lastRound}), ${refused} failed or non-2xx`;
    return [scaled !== undefined && refused === 0, figure];
  });
  await report.run('production: a drain of the node is refused by the API PodDisruptionBudget', async () => {
    const drain = await kubectl([
      'drain',
      'findash-node',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--pod-selector=app.kubernetes.io/component=api',
      '--timeout=45s',
    ]);
    const available = Number(
      (
        await kubectl([
          '-n',
          'findash',
          'get',
          'pdb',
          '-l',
          'app.kubernetes.io/component=api',
          '-o',
          'jsonpath={.items[0].status.currentHealthy}',
        ])
      ).stdout || 0,
    );
    await kubectl(['uncordon', 'findash-node']);
    const refused = drain.code !== 0 && /disruption budget/i.test(drain.stderr + drain.stdout);
    return [
      refused && available >= 2,
      `drain exit ${drain.code}${refused ? ' (eviction refused: disruption budget)' : ''}; healthy API pods ${available}`,
    ];
  });
  await report.run('production: the HPA scales back down after the load', async () => {
    const down = await poll(
      async () => ((await replicas()) <= minReplicas ? replicas() : undefined),
      600_000,
      10_000,
    );
    return [down !== undefined, `replicas -> ${down ?? (await replicas())} (scale-down window 5 min)`];
  });
}
