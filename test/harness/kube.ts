import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  ensurePki,
  FRONT_PROXY_CLIENT,
  NODE_ADDRESS,
  NODE_API_PORT,
  SERVICE_CIDR,
  type KubePki,
} from './kube-pki.js';
import { kubeBinaries } from './kube-binaries.js';
import { httpGet, httpsGet, kubeconfigYaml, readTls, waitReady } from './kube-client.js';
import { startProcess, stopGroup, type ManagedProcess, type StartedProcess } from './kube-process.js';
import { freePort } from './ports.js';

// The control plane's callers get the binaries and client helpers from here too.
export { kubeBinaries, toolsBinDir, type KubeBinaries } from './kube-binaries.js';
export { httpGet, httpsGet, kubeconfigYaml, kubectl, readTls, waitReady, type Tls } from './kube-client.js';

/**
 * A real Kubernetes control plane for tests and for people: etcd + kube-apiserver (and
 * optionally kube-controller-manager), built from Go modules by test/harness/ensure-tools.sh and
 * started the way controller-runtime's envtest does: loopback ports, openssl-made certificates,
 * RBAC authorization.
 *
 * What is not there: no scheduler and no kubelet, so Pods are stored but never run. Without the
 * controller manager, nothing finalizes deleted Namespaces (they stay Terminating), nothing
 * garbage-collects objects through ownerReferences and no "default" ServiceAccount is created;
 * pass `withControllerManager: true` when a test needs those. The ServiceAccount admission plugin
 * is disabled in both modes (as in envtest), so Pods need no ServiceAccount to be created.
 */

export interface ControlPlaneOptions {
  /** State directory (certificates, etcd data, logs, kubeconfig). Default: a new temp dir, removed by stop(). */
  dir?: string;
  /** Also run kube-controller-manager (namespace deletion, garbage collection, ServiceAccounts). */
  withControllerManager?: boolean;
  /** Let the processes outlive this Node process (used by `npm run cluster:up`). */
  keepAlive?: boolean;
  /**
   * A control plane for a real node (node-cluster.ts): listen and advertise on NODE_ADDRESS (a host
   * address Pods reach), keep the `kubernetes` Service's endpoints, admit ServiceAccounts, authorize
   * kubelets with the Node authorizer, talk to kubelets with a client certificate, serve aggregated APIs
   * (metrics-server), and run kube-scheduler. Implies withControllerManager. NODE_ADDRESS must exist.
   */
  forNode?: boolean;
  /** How long to wait for readiness. Default 90 s. */
  timeoutMs?: number;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  server: string;
  /** Admin kubeconfig (client certificate in group system:masters), self-contained. */
  kubeconfigPath: string;
  dir: string;
  /** PEM of the cluster CA, the admin client certificate and its key (for TLS clients built by hand). */
  ca: string;
  adminCert: string;
  adminKey: string;
  withControllerManager: boolean;
  /** Certificates and keys (a node's kubelet, kube-proxy and add-ons authenticate with them). */
  pki: KubePki;
  processes: ManagedProcess[];
  /** Kills every process (whole process groups) and waits until they are gone. */
  stop(): Promise<void>;
}

/** Port-independent, so tokens stay valid when a development cluster restarts on other ports. */
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const forNode = options.forNode ?? false;
  const withControllerManager = forNode || (options.withControllerManager ?? false);
  const bins = kubeBinaries({ controllerManager: withControllerManager, scheduler: forNode });
  const ownsDir = options.dir === undefined;
  const dir = options.dir
    ? path.resolve(options.dir)
    : await mkdtemp(path.join(os.tmpdir(), 'findash-kube-'));
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const keepAlive = options.keepAlive ?? false;
  const logs = path.join(dir, 'logs');
  await mkdir(logs, { recursive: true });

  const started: StartedProcess[] = [];
  const stopAll = async () => {
    // Reverse start order: controller manager, apiserver, then etcd.
    for (const proc of [...started].reverse()) await stopGroup(proc.pid);
  };

  try {
    const [pki, etcdPort, etcdPeerPort, apiPort, cmPort, schedulerPort] = await Promise.all([
      ensurePki(path.join(dir, 'pki')),
      freePort(),
      freePort(),
      forNode ? NODE_API_PORT : freePort(),
      freePort(),
      freePort(),
    ]);
    const admin = await readTls(pki, pki.adminCert, pki.adminKey);
    const apiAddress = forNode ? NODE_ADDRESS : '127.0.0.1';
    const server = `https://${apiAddress}:${apiPort}`;

    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = startProcess(
      'etcd',
      bins.etcd,
      [
        '--name=default',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        // Test data: durability across power loss is not worth the fsync latency.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      path.join(logs, 'etcd.log'),
      { keepAlive },
    );
    started.push(etcd);
    await waitReady(
      etcd,
      'healthy',
      async () => (await httpGet(`${etcdUrl}/health`))?.status === 200,
      deadline,
    );

    const apiserver = startProcess(
      'kube-apiserver',
      bins.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${apiAddress}`,
        `--advertise-address=${apiAddress}`,
        `--secure-port=${apiPort}`,
        `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-issuer=${SA_ISSUER}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--allow-privileged=true',
        '--profiling=false',
        ...(forNode
          ? [
              '--authorization-mode=Node,RBAC',
              '--enable-admission-plugins=NodeRestriction',
              `--kubelet-client-certificate=${pki.apiserverKubeletClientCert}`,
              `--kubelet-client-key=${pki.apiserverKubeletClientKey}`,
              '--kubelet-preferred-address-types=InternalIP',
              // The aggregation layer, for metrics-server's metrics.k8s.io (the HPA's CPU metrics).
              `--requestheader-client-ca-file=${pki.caCert}`,
              `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
              '--requestheader-username-headers=X-Remote-User',
              '--requestheader-group-headers=X-Remote-Group',
              '--requestheader-extra-headers-prefix=X-Remote-Extra-',
              `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
              `--proxy-client-key-file=${pki.frontProxyClientKey}`,
              '--enable-aggregator-routing=true',
            ]
          : [
              '--authorization-mode=RBAC',
              // Like envtest: the ServiceAccount admission plugin rejects Pods until a controller
              // has created the namespace's default ServiceAccount.
              '--disable-admission-plugins=ServiceAccount',
              // The only address is loopback, which Endpoints reject; nothing in-cluster needs them.
              '--endpoint-reconciler-type=none',
            ]),
      ],
      path.join(logs, 'kube-apiserver.log'),
      { keepAlive },
    );
    started.push(apiserver);
    await waitReady(
      apiserver,
      'ready',
      async () => (await httpsGet(`${server}/readyz`, admin))?.status === 200,
      deadline,
    );

    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml(server, 'findash-admin', admin), { mode: 0o600 });

    if (withControllerManager) {
      const cmTls = await readTls(pki, pki.controllerManagerCert, pki.controllerManagerKey);
      const cmKubeconfig = path.join(dir, 'controller-manager.kubeconfig');
      await writeFile(cmKubeconfig, kubeconfigYaml(server, 'kube-controller-manager', cmTls), {
        mode: 0o600,
      });
      const cm = startProcess(
        'kube-controller-manager',
        bins.kubeControllerManager,
        [
          `--kubeconfig=${cmKubeconfig}`,
          `--authentication-kubeconfig=${cmKubeconfig}`,
          `--authorization-kubeconfig=${cmKubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${cmPort}`,
          `--tls-cert-file=${pki.servingCert}`,
          `--tls-private-key-file=${pki.servingKey}`,
          '--leader-elect=false',
          `--service-cluster-ip-range=${SERVICE_CIDR}`,
          `--root-ca-file=${pki.caCert}`,
          `--service-account-private-key-file=${pki.serviceAccountKey}`,
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          '--profiling=false',
        ],
        path.join(logs, 'kube-controller-manager.log'),
        { keepAlive },
      );
      started.push(cm);
      await waitReady(
        cm,
        'healthy',
        async () => (await httpsGet(`https://127.0.0.1:${cmPort}/healthz`, admin))?.status === 200,
        deadline,
      );
    }

    if (forNode) {
      // The scheduler binds Pods to the node; its identity is the controller manager's (system:masters).
      const scheduler = startProcess(
        'kube-scheduler',
        bins.kubeScheduler,
        [
          `--kubeconfig=${path.join(dir, 'controller-manager.kubeconfig')}`,
          `--authentication-kubeconfig=${path.join(dir, 'controller-manager.kubeconfig')}`,
          `--authorization-kubeconfig=${path.join(dir, 'controller-manager.kubeconfig')}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${schedulerPort}`,
          `--tls-cert-file=${pki.servingCert}`,
          `--tls-private-key-file=${pki.servingKey}`,
          '--leader-elect=false',
          '--profiling=false',
        ],
        path.join(logs, 'kube-scheduler.log'),
        { keepAlive },
      );
      started.push(scheduler);
      await waitReady(
        scheduler,
        'healthy',
        async () => (await httpsGet(`https://127.0.0.1:${schedulerPort}/healthz`, admin))?.status === 200,
        deadline,
      );
    }

    let stopped: Promise<void> | undefined;
    return {
      server,
      kubeconfigPath,
      dir,
      ca: admin.ca,
      adminCert: admin.cert,
      adminKey: admin.key,
      withControllerManager,
      pki,
      processes: started.map(({ name, pid, binary, log }) => ({ name, pid, binary, log })),
      stop: () => {
        stopped ??= (async () => {
          await stopAll();
          if (ownsDir) await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
