import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { startClusterDns } from './cluster-dns.js';
import { httpGet, kubectl, waitReady, type ControlPlane } from './kube.js';
import { NODE_ADDRESS, NODE_NAME, SERVICE_CIDR } from './kube-pki.js';
import { startProcess, type StartedProcess } from './kube-process.js';
import { nodeTool } from './node-config.js';
import { removeRules, run, tryRun } from './node-network.js';
import { freePort } from './ports.js';

// The cluster add-ons of the single node:
// - CoreDNS, the cluster DNS, as a kube-system Pod (cluster-dns.ts);
// - metrics-server, a host process on NODE_ADDRESS behind the aggregation layer, so the HPA has CPU metrics;
// - kube-router with only its network policy controller (iptables + ipset), so NetworkPolicies are enforced
//   (started once the node is registered: startPolicyController).
//   The bridge CNI plugin enforces none. kind's kindnet embeds kube-network-policies instead, which needs the
//   nftables `queue` expression; this kernel is built without CONFIG_NFT_QUEUE (`nft add rule ... queue num
//   100` fails with "No such file or directory"), so kube-router's iptables-based controller does the job here.
// And static hostPath PersistentVolumes stand in for a storage provisioner.

const PERSISTENT_VOLUMES = 12;
// hostPath capacity is nominal (nothing enforces it): large enough for every environment's claims.
const VOLUME_SIZE = '100Gi';

export interface AddOns {
  processes: StartedProcess[];
  /** Starts the Pod add-ons and waits until each add-on serves (the node must be Ready first). */
  ready(cp: ControlPlane, deadline: number): Promise<void>;
}

export async function startAddOns(
  dir: string,
  kubeconfig: string,
  options: { keepAlive: boolean; logs: string },
): Promise<AddOns> {
  const { keepAlive, logs } = options;
  await mkdir(path.join(dir, 'metrics-server'), { recursive: true });
  const msPort = await freePort();
  const metricsServer = startProcess(
    'metrics-server',
    nodeTool('metrics-server'),
    [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      `--bind-address=${NODE_ADDRESS}`,
      `--secure-port=${msPort}`,
      `--cert-dir=${path.join(dir, 'metrics-server')}`,
      // The kubelet's serving certificate is self-signed, as on kind.
      '--kubelet-insecure-tls',
      '--kubelet-preferred-address-types=InternalIP',
      '--kubelet-use-node-status-port',
      '--metric-resolution=15s',
    ],
    path.join(logs, 'metrics-server.log'),
    { keepAlive },
  );
  return {
    processes: [metricsServer],
    async ready(cp, deadline) {
      await startClusterDns(cp, deadline);
      await kubectl(
        cp,
        ['apply', '--server-side', '--field-manager=findash-node', '-f', '-'],
        metricsApiObjects(msPort),
      );
      await kubectl(
        cp,
        ['apply', '--server-side', '--field-manager=findash-node', '-f', '-'],
        await persistentVolumes(dir),
      );
      await waitReady(
        metricsServer,
        'serving metrics.k8s.io',
        async () => {
          const available = await kubectl(cp, [
            'get',
            'apiservice',
            'v1beta1.metrics.k8s.io',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Available")].status}',
          ]).catch(() => '');
          return available === 'True';
        },
        deadline,
      );
    },
  };
}

/**
 * kube-router with only its network policy controller. It looks its Node up when it starts: start it once the
 * kubelet has registered the node.
 */
export async function startPolicyController(
  kubeconfig: string,
  options: { keepAlive: boolean; logs: string; deadline: number },
): Promise<StartedProcess> {
  const health = await freePort();
  const controller = startProcess(
    'kube-router',
    nodeTool('kube-router'),
    [
      `--kubeconfig=${kubeconfig}`,
      `--hostname-override=${NODE_NAME}`,
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--health-port=${health}`,
      '--metrics-port=0',
      '--v=1',
    ],
    path.join(options.logs, 'kube-router.log'),
    { keepAlive: options.keepAlive },
  );
  await waitReady(
    controller,
    'enforcing NetworkPolicies',
    async () => (await httpGet(`http://127.0.0.1:${health}/healthz`))?.status === 200,
    options.deadline,
  );
  return controller;
}

/**
 * Removes kube-router's firewall after it has stopped: the jumps it put in INPUT, FORWARD and OUTPUT (comment
 * "kube-router netpol"), its chains (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) and its ipsets (KUBE-SRC-*,
 * KUBE-DST-*, kube-router-*). Its own `--cleanup-config` leaves them (v2.1.0 says "Successfully cleaned" and
 * then crashes in the service proxy's cleanup, with every chain still there).
 */
export async function removePolicyRules(): Promise<void> {
  await removeRules(
    'filter',
    (rule) => rule.includes('kube-router netpol'),
    /^(KUBE-ROUTER-|KUBE-POD-FW-|KUBE-NWPLCY-)/,
  );
  const sets = (await run('ipset', ['list', '-n']).catch(() => '')).split('\n');
  for (const set of sets.filter((name) => /^(KUBE-SRC-|KUBE-DST-|kube-router-)/.test(name))) {
    await tryRun('ipset', ['destroy', set]);
  }
}

/** metrics-server behind the aggregation layer: a selector-less Service whose Endpoints are the host. */
function metricsApiObjects(port: number): string {
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
      spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
      subsets: [{ addresses: [{ ip: NODE_ADDRESS }], ports: [{ name: 'https', port }] }],
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        // metrics-server's serving certificate is self-signed (its --cert-dir), as in its own manifests.
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
      },
    },
  ];
  return objects.map((o) => JSON.stringify(o)).join('\n');
}

/** Static hostPath volumes: PVCs without a storage class bind to them (no provisioner on a bare node). */
export async function persistentVolumes(dir: string): Promise<string> {
  const objects = [];
  for (let i = 0; i < PERSISTENT_VOLUMES; i += 1) {
    const hostPath = path.join(dir, 'volumes', `pv-${i}`);
    await mkdir(hostPath, { recursive: true, mode: 0o777 });
    // Pods run as their own non-root users and hostPath ignores fsGroup: the directory must be writable.
    await run('chmod', ['1777', hostPath]);
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `findash-node-pv-${i}`, labels: { 'findash.dev/node-volume': 'true' } },
      spec: {
        capacity: { storage: VOLUME_SIZE },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: hostPath, type: 'Directory' },
      },
    });
  }
  return objects.map((o) => JSON.stringify(o)).join('\n');
}
