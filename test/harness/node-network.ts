import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

import { NODE_ADDRESS, SERVICE_CIDR } from './kube-pki.js';

const exec = promisify(execFile);

/**
 * The host side of the single-node cluster's network. Everything here is made by the cluster and removed by
 * its teardown: NODE_ADDRESS on the loopback interface (where the apiserver, kubelet, CoreDNS and
 * metrics-server listen; a local address, so Pods reach it through the bridge's gateway, and nothing outside
 * the machine does), the CNI bridge the Pods hang off, and the iptables rules kube-proxy and the CNI bridge
 * plugin add. No other address of the machine is used. (Loopback, not a dummy interface: this VM's kernel has
 * no dummy device type.)
 */
export const HOST_INTERFACE = 'lo';
export const BRIDGE = 'findash-br0';
export const CNI_NETWORK = 'findash';
export const POD_CIDR = '10.244.0.0/24';

export async function run(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

export async function tryRun(command: string, args: string[]): Promise<boolean> {
  try {
    await exec(command, args);
    return true;
  } catch {
    return false;
  }
}

async function sysctl(key: string, value: string): Promise<void> {
  const file = `/proc/sys/${key.replaceAll('.', '/')}`;
  if (existsSync(file) && readFileSync(file, 'utf8').trim() === value) return;
  await writeFile(file, value);
}

/** Puts NODE_ADDRESS on lo and the Service range's route there (idempotent), and the forwarding the Pods need. */
export async function ensureHostNetwork(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('a node cluster runs containers and needs root');
  const addresses = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', HOST_INTERFACE]);
  if (!addresses.includes(`${NODE_ADDRESS}/32`)) {
    await run('ip', ['addr', 'add', `${NODE_ADDRESS}/32`, 'dev', HOST_INTERFACE]);
  }
  // Service addresses are virtual: kube-proxy's DNAT sends them to Pods on the bridge. Routed to lo, a packet
  // to a ClusterIP that no rule (yet, or any more) rewrites dies on this machine instead of following the
  // default route out of it.
  await run('ip', ['route', 'replace', SERVICE_CIDR, 'dev', HOST_INTERFACE, 'src', NODE_ADDRESS]);
  await sysctl('net.ipv4.ip_forward', '1');
  // Service traffic between Pods on one bridge must pass iptables for kube-proxy's DNAT.
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) await tryRun('modprobe', ['br_netfilter']);
  if (existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
    await sysctl('net.bridge.bridge-nf-call-iptables', '1');
  }
}

/** The CNI network config: one bridge, host-local addresses, masquerade out, hairpin for Service-to-self. */
export function cniConfig(ipamDir: string): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: CNI_NETWORK,
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: ipamDir,
            ranges: [[{ subnet: POD_CIDR }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/**
 * Removes what the node added to the host network: the CNI plugin's masquerade chains (tagged with the
 * network name), the bridge, NODE_ADDRESS. kube-proxy's own rules go with `kube-proxy --cleanup`.
 */
export async function removeHostNetwork(): Promise<void> {
  for (const table of ['nat', 'filter']) {
    await removeRules(table, (rule) => rule.includes(`name: \\"${CNI_NETWORK}\\"`));
  }
  await tryRun('ip', ['route', 'del', SERVICE_CIDR, 'dev', HOST_INTERFACE]);
  await tryRun('ip', ['link', 'del', BRIDGE]);
  await tryRun('ip', ['addr', 'del', `${NODE_ADDRESS}/32`, 'dev', HOST_INTERFACE]);
}

/**
 * Deletes the rules of an iptables table that `ours` picks, then flushes and deletes the chains they jump to and
 * any other chain `alsoChains` names (chains reached only through those).
 */
export async function removeRules(
  table: string,
  ours: (rule: string) => boolean,
  alsoChains?: RegExp,
): Promise<void> {
  let saved: string;
  try {
    saved = await run('iptables-save', ['-t', table]);
  } catch {
    return;
  }
  const lines = saved.split('\n');
  const declared = lines.map((line) => /^:(\S+) /.exec(line)?.[1]).filter((c): c is string => !!c);
  const chains = new Set(declared.filter((chain) => alsoChains?.test(chain)));
  for (const rule of lines.filter((line) => line.startsWith('-A ') && ours(line))) {
    const target = / -j (\S+)/.exec(rule)?.[1];
    if (target && declared.includes(target)) chains.add(target);
    // iptables-save prints the rule as iptables -A takes it; -D takes the same words.
    const words = rule.slice(3).match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    await tryRun('iptables', [
      '-t',
      table,
      '-D',
      ...words.map((w) => w.replace(/^"(.*)"$/, '$1').replaceAll('\\"', '"')),
    ]);
  }
  for (const chain of chains) await tryRun('iptables', ['-t', table, '-F', chain]);
  for (const chain of chains) await tryRun('iptables', ['-t', table, '-X', chain]);
}
