import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { toolsBinDir } from './kube.js';
import { CLUSTER_DNS_ADDRESS, NODE_ADDRESS, NODE_NAME } from './kube-pki.js';
import { POD_CIDR, run } from './node-network.js';

// The configuration of the node's own components (containerd, its OCI base spec, kubelet, kube-proxy) and
// where their binaries are.

export const PAUSE_IMAGE = 'findash.local/pause:3.10';

/** A node binary built by ensure-tools.sh --node. */
export function nodeTool(name: string): string {
  const file = path.join(toolsBinDir(), name);
  if (!existsSync(file)) {
    throw new Error(`${name} is not built: run \`bash test/harness/ensure-tools.sh --node\` first.`);
  }
  return file;
}

export function containerdConfig(dir: string, socket: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    'version = 2',
    `root = "${path.join(dir, 'containerd', 'root')}"`,
    `state = "${path.join(dir, 'containerd', 'state')}"`,
    '[grpc]',
    `  address = "${socket}"`,
    '[debug]',
    '  level = "warn"',
    `[${cri}]`,
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // This VM cannot lower a process's oom_score_adj: without this every sandbox fails to start.
    '  restrict_oom_score_adj = true',
    '  enable_unprivileged_ports = true',
    `[${cri}.containerd]`,
    '  default_runtime_name = "runc"',
    '  snapshotter = "overlayfs"',
    `[${cri}.containerd.runtimes.runc]`,
    '  runtime_type = "io.containerd.runc.v2"',
    `  base_runtime_spec = "${path.join(dir, 'containerd', 'base-spec.json')}"`,
    `[${cri}.containerd.runtimes.runc.options]`,
    '  SystemdCgroup = false',
    `[${cri}.cni]`,
    '  bin_dir = "/usr/lib/cni"',
    `  conf_dir = "${path.join(dir, 'cni', 'net.d')}"`,
    '',
  ].join('\n');
}

/**
 * containerd's default OCI spec with RLIMIT_NOFILE lowered to what a process without CAP_SYS_RESOURCE may
 * set here (the hard limit is 20000; the default 1048576 fails with "error setting rlimit type 7").
 */
export async function baseRuntimeSpec(): Promise<string> {
  const spec = JSON.parse(await run('ctr', ['oci', 'spec'])) as { process: { rlimits?: unknown[] } };
  const hard = Number(
    readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\d+\s+(\d+)/)?.[1] ?? 20000,
  );
  spec.process.rlimits = [
    { type: 'RLIMIT_NOFILE', hard: Math.min(hard, 65536), soft: Math.min(hard, 65536) },
  ];
  return JSON.stringify(spec, null, 2);
}

export function kubeletConfig(
  dir: string,
  socket: string,
  ports: { kubelet: number; healthz: number },
  ca: string,
): string {
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: NODE_ADDRESS,
      port: ports.kubelet,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      healthzPort: ports.healthz,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: ca },
      },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'cgroupfs',
      containerRuntimeEndpoint: `unix://${socket}`,
      clusterDNS: [CLUSTER_DNS_ADDRESS],
      clusterDomain: 'cluster.local',
      failSwapOn: false,
      // The images are loaded, not pulled: never garbage-collect them, evict only when the disk is nearly full.
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: { 'memory.available': '200Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
      serializeImagePulls: false,
      podCIDR: POD_CIDR,
      resolvConf: '/etc/resolv.conf',
      rotateCertificates: false,
      serverTLSBootstrap: false,
      volumePluginDir: path.join(dir, 'kubelet-plugins'),
      shutdownGracePeriod: '0s',
    },
    null,
    2,
  );
}

/** kube-proxy in iptables mode, its ports on loopback, NodePorts on the node address only. */
export function kubeProxyConfig(kubeconfig: string, ports: { healthz: number; metrics: number }): string {
  return JSON.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clusterCIDR: POD_CIDR,
    hostnameOverride: NODE_NAME,
    bindAddress: NODE_ADDRESS,
    healthzBindAddress: `127.0.0.1:${ports.healthz}`,
    metricsBindAddress: `127.0.0.1:${ports.metrics}`,
    nodePortAddresses: [`${NODE_ADDRESS}/32`],
    clientConnection: { kubeconfig },
    // Leave the host's conntrack sysctls alone (a VM may not allow them to change).
    conntrack: { maxPerCore: 0, min: 0 },
  });
}
