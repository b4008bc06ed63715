import type { Report } from '../e2e/report.js';
import { componentAddress } from './queries.js';
import { lastLines, poll, type ShellResult } from './shell.js';

/**
 * The environment's NetworkPolicies, enforced by the node's policy controller (kube-router, node-addons.ts):
 * a Pod that no policy admits is cut off from PostgreSQL and from the API, while the API itself reaches
 * PostgreSQL at the same address. Each connection is a TCP connect from Node.js inside the Pod to an address
 * (no DNS in the way, so a refusal is the policy's and not the resolver's).
 */
type Kubectl = (args: string[], input?: string) => Promise<ShellResult>;

const PROBE = 'findash-policy-probe';
const CONNECT_TIMEOUT_MS = 4000;

/** A script for `node -e`: one line, "connected", "blocked: <how>" or "error: <code>", for each host:port. */
const CONNECT_SCRIPT = [
  "const net = require('node:net');",
  'const one = (target) => new Promise((done) => {',
  "  const [host, port] = target.split(':');",
  `  const s = net.connect({ host, port: Number(port), timeout: ${CONNECT_TIMEOUT_MS} });`,
  "  s.on('connect', () => { s.destroy(); done(target + ' connected'); });",
  "  s.on('timeout', () => { s.destroy(); done(target + ' blocked: timeout'); });",
  // A policy drops (timeout) or rejects (ECONNREFUSED, EHOSTUNREACH); anything else is no verdict.
  "  s.on('error', (e) => done(target + (['ECONNREFUSED', 'EHOSTUNREACH'].includes(e.code) ? ' blocked: ' : ' error: ') + e.code));",
  '});',
  '(async () => { for (const t of process.argv.slice(1)) console.log(await one(t)); })();',
].join('\n');

/** A Pod of the API's image that matches no policy's selector, run once to try each target. */
function probePod(namespace: string, image: string, targets: string[]): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: PROBE, namespace, labels: { 'app.kubernetes.io/name': PROBE } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'probe',
          image,
          imagePullPolicy: 'Never',
          command: ['node', '-e', CONNECT_SCRIPT, ...targets],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  });
}

async function probeFromOutside(kubectl: Kubectl, namespace: string, image: string, targets: string[]) {
  await kubectl(['-n', namespace, 'delete', 'pod', PROBE, '--ignore-not-found', '--wait=true']);
  const created = await kubectl(['apply', '-f', '-'], probePod(namespace, image, targets));
  if (created.code !== 0) throw new Error(`probe Pod refused: ${lastLines(created)}`);
  const done = await poll(async () => {
    const phase = await kubectl(['-n', namespace, 'get', 'pod', PROBE, '-o', 'jsonpath={.status.phase}']);
    return ['Succeeded', 'Failed'].includes(phase.stdout.trim()) ? phase.stdout.trim() : undefined;
  }, 120_000);
  const logs = await kubectl(['-n', namespace, 'logs', PROBE]);
  await kubectl(['-n', namespace, 'delete', 'pod', PROBE, '--ignore-not-found', '--wait=false']);
  if (done !== 'Succeeded') throw new Error(`probe Pod ${done ?? 'did not finish'}: ${lastLines(logs)}`);
  return logs.stdout;
}

export async function networkPolicyChecks(
  report: Report,
  kubectl: Kubectl,
  namespace: string,
  image: string,
): Promise<void> {
  const postgres = await componentAddress(namespace, 'postgres');
  const api = await componentAddress(namespace, 'api');
  await report.run(
    `NetworkPolicy: the API Pod reaches PostgreSQL (${postgres}), the path its policies open`,
    async () => {
      const result = await kubectl([
        '-n',
        namespace,
        'exec',
        'deployment/findash-api',
        '--',
        'node',
        '-e',
        CONNECT_SCRIPT,
        postgres,
      ]);
      return [result.stdout.includes(`${postgres} connected`), lastLines(result).trim()];
    },
  );
  const outside = await probeFromOutside(kubectl, namespace, image, [postgres, api]).catch(
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  report.check(
    `NetworkPolicy enforced: a Pod no policy admits cannot reach PostgreSQL (${postgres})`,
    outside.includes(`${postgres} blocked`),
    outside.split('\n').find((line) => line.startsWith(postgres)) ?? outside.trim(),
  );
  report.check(
    `NetworkPolicy enforced: nor the API (${api}), which admits the ingress controller and Prometheus only`,
    outside.includes(`${api} blocked`),
    outside.split('\n').find((line) => line.startsWith(api)) ?? outside.trim(),
  );
}
