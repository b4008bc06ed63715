import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';

import { kubeBinaries } from './kube-binaries.js';
import type { KubePki } from './kube-pki.js';
import { tail, type StartedProcess } from './kube-process.js';

// Talking to a control plane: HTTP(S) probes, waiting for a process to serve, kubeconfigs and kubectl.

export interface Tls {
  ca: string;
  cert: string;
  key: string;
}

/** GET `url` with client TLS; resolves with the status code and body, or undefined if unreachable. */
export function httpsGet(url: string, tls: Tls): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const request = https.get(url, { ...tls, timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', () => {
        resolve(undefined);
      });
    });
    request.on('timeout', () => {
      request.destroy();
    });
    request.on('error', () => {
      resolve(undefined);
    });
  });
}

export function httpGet(url: string): Promise<{ status: number; body: string } | undefined> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) })
    .then(async (response) => ({ status: response.status, body: await response.text() }))
    .catch(() => undefined);
}

/** Polls `probe` until it returns true; fails early with the log tail if the process dies. */
export async function waitReady(
  proc: StartedProcess,
  what: string,
  probe: () => Promise<boolean>,
  deadline: number,
): Promise<void> {
  let exited: string | undefined;
  void proc.exited.then((how) => (exited = how));
  for (;;) {
    if (await probe()) return;
    if (exited) throw new Error(`${proc.name} ${exited} before ${what}; log ${proc.log}:\n${tail(proc.log)}`);
    if (Date.now() > deadline)
      throw new Error(`${proc.name} not ${what} in time; log ${proc.log}:\n${tail(proc.log)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function kubeconfigYaml(server: string, user: string, tls: Tls): string {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: findash-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(tls.ca)}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate-data: ${b64(tls.cert)}`,
    `    client-key-data: ${b64(tls.key)}`,
    'contexts:',
    '- name: findash-test',
    '  context:',
    '    cluster: findash-test',
    `    user: ${user}`,
    'current-context: findash-test',
    '',
  ].join('\n');
}

export async function readTls(pki: KubePki, cert: string, key: string): Promise<Tls> {
  const [ca, certPem, keyPem] = await Promise.all([
    readFile(pki.caCert, 'utf8'),
    readFile(cert, 'utf8'),
    readFile(key, 'utf8'),
  ]);
  return { ca, cert: certPem, key: keyPem };
}

/** Runs kubectl against the control plane; resolves with stdout, rejects with stderr. */
export function kubectl(cp: { kubeconfigPath: string }, args: string[], input?: string): Promise<string> {
  const { kubectl: binary } = kubeBinaries();
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      ['--kubeconfig', cp.kubeconfigPath, ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(input ?? '');
  });
}
