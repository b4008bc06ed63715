import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Files of the test control plane's PKI, all PEM. ECDSA P-256 keys: generated in milliseconds
 * and accepted everywhere (Go TLS, Node TLS, service-account token signing as ES256).
 */
export interface KubePki {
  dir: string;
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate (127.0.0.1, localhost and the in-cluster names). */
  servingCert: string;
  servingKey: string;
  /** Client certificate CN=findash-admin, O=system:masters: full access, like kubeadm's admin.conf. */
  adminCert: string;
  adminKey: string;
  /** Client certificate for kube-controller-manager (O=system:masters: it is a trusted test component). */
  controllerManagerCert: string;
  controllerManagerKey: string;
  /** Service-account token signing key pair. */
  serviceAccountKey: string;
  serviceAccountPub: string;
  /** The node's kubelet: CN=system:node:<NODE_NAME>, O=system:nodes (the Node authorizer's identity). */
  kubeletCert: string;
  kubeletKey: string;
  /** kube-apiserver's client certificate towards kubelets (logs, exec, port-forward). */
  apiserverKubeletClientCert: string;
  apiserverKubeletClientKey: string;
  /** The aggregation layer's front proxy (metrics-server behind the apiserver). */
  frontProxyClientCert: string;
  frontProxyClientKey: string;
}

/** The single node's name and the host address the node cluster uses (a dummy interface it creates). */
export const NODE_NAME = 'findash-node';
export const NODE_ADDRESS = '10.99.0.1';
/** The Services' virtual addresses (kube-apiserver --service-cluster-ip-range); 10.0.0.1 is `kubernetes`. */
export const SERVICE_CIDR = '10.0.0.0/24';
/** The kube-dns Service (CoreDNS as a Pod, cluster-dns.ts): the kubelet's clusterDNS, as on kubeadm clusters. */
export const CLUSTER_DNS_ADDRESS = '10.0.0.10';
/**
 * The node cluster's API server port, kind's and kubeadm's 6443: NetworkPolicies open the API server by port
 * (443 at the Service, 6443 at the endpoint), and enforced they must see the port a real cluster has.
 */
export const NODE_API_PORT = 6443;
/** CN the apiserver accepts front-proxy requests from (--requestheader-allowed-names). */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

export function pkiPaths(dir: string): KubePki {
  const p = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    controllerManagerCert: p('controller-manager.crt'),
    controllerManagerKey: p('controller-manager.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
    kubeletCert: p('kubelet.crt'),
    kubeletKey: p('kubelet.key'),
    apiserverKubeletClientCert: p('apiserver-kubelet-client.crt'),
    apiserverKubeletClientKey: p('apiserver-kubelet-client.key'),
    frontProxyClientCert: p('front-proxy-client.crt'),
    frontProxyClientKey: p('front-proxy-client.key'),
  };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr || String(error)}`);
  }
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = '3650';

/** Issues a CA-signed certificate for `subject` with the given X.509v3 extensions. */
async function issue(pki: KubePki, name: string, subject: string, extensions: string[]): Promise<void> {
  const base = path.join(pki.dir, name);
  await openssl([
    'req',
    '-new',
    ...KEY_ARGS,
    '-keyout',
    `${base}.key`,
    '-out',
    `${base}.csr`,
    '-subj',
    subject,
  ]);
  await writeFile(`${base}.ext`, extensions.join('\n') + '\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    // Random serials: certificates are issued concurrently, so no shared ca.srl file.
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    DAYS,
    '-sha256',
    '-extfile',
    `${base}.ext`,
    '-out',
    `${base}.crt`,
  ]);
}

/**
 * Creates the PKI in `dir` unless it is already there (a restarted development cluster keeps
 * its CA, so existing kubeconfigs and service-account tokens stay valid).
 */
export async function ensurePki(dir: string): Promise<KubePki> {
  const pki = pkiPaths(dir);
  // Versioned: a PKI made before the node certificates existed is made again.
  const complete = path.join(dir, '.complete-v2');
  if (existsSync(complete)) return pki;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await openssl([
    'req',
    '-x509',
    ...KEY_ARGS,
    '-keyout',
    pki.caKey,
    '-out',
    pki.caCert,
    '-days',
    DAYS,
    '-sha256',
    '-subj',
    '/CN=findash-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const leaf = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
  await Promise.all([
    issue(pki, 'apiserver', '/CN=kube-apiserver', [
      ...leaf,
      'extendedKeyUsage=serverAuth',
      // 10.0.0.1 is the "kubernetes" Service's ClusterIP in the 10.0.0.0/24 service range.
      // NODE_ADDRESS: where a node cluster's apiserver listens, so kubelets and Pods reach it.
      `subjectAltName=IP:127.0.0.1,DNS:localhost,IP:${NODE_ADDRESS},IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,` +
        'DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
    ]),
    issue(pki, 'admin', '/O=system:masters/CN=findash-admin', [...leaf, 'extendedKeyUsage=clientAuth']),
    issue(pki, 'controller-manager', '/O=system:masters/CN=system:kube-controller-manager', [
      ...leaf,
      'extendedKeyUsage=clientAuth',
    ]),
    issue(pki, 'kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`, [
      ...leaf,
      'extendedKeyUsage=clientAuth',
    ]),
    // O=system:masters: the kubelet's webhook authorizer allows the apiserver's logs/exec requests.
    issue(pki, 'apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', [
      ...leaf,
      'extendedKeyUsage=clientAuth',
    ]),
    issue(pki, 'front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, [...leaf, 'extendedKeyUsage=clientAuth']),
    (async () => {
      await openssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        pki.serviceAccountKey,
      ]);
      await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
    })(),
  ]);
  await writeFile(complete, '');
  return pki;
}
