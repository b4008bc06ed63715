import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { freePort, waitForPort } from './ports.js';

/**
 * nginx (Debian package) as the load balancer of the seed's topology: TLS termination with a
 * self-signed certificate made at start, round robin over the API instances, and retry of
 * idempotent requests on the next instance when one dies, so killing an instance fails only the
 * requests that were in flight on it.
 */
export interface LoadBalancer {
  readonly httpsUrl: string;
  readonly port: number;
  readonly caFile: string;
  /** Point the balancer at other upstreams without dropping connections (nginx -s reload). */
  setUpstreams(upstreams: readonly string[]): void;
  stop(): Promise<void>;
}

function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next location
    }
  }
  throw new Error('nginx is not installed: apt-get install -y nginx (test/provision.sh does it)');
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function config(
  dir: string,
  port: number,
  tls: { cert: string; key: string },
  upstreams: readonly string[],
): string {
  const servers = upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join('\n');
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream findash_api {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.cert};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      proxy_pass http://findash_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

export async function startNginx(options: {
  dir: string;
  upstreams: readonly string[];
  port?: number;
}): Promise<LoadBalancer> {
  const binary = nginxBinary();
  mkdirSync(options.dir, { recursive: true });
  const tls = makeCertificate(options.dir);
  const port = options.port ?? (await freePort());
  const confFile = path.join(options.dir, 'nginx.conf');
  writeFileSync(confFile, config(options.dir, port, tls, options.upstreams));
  const child: ChildProcess = spawn(binary, ['-c', confFile, '-p', options.dir, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      exited.then(() => {
        throw new Error(`nginx exited: ${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    httpsUrl: `https://127.0.0.1:${port}`,
    port,
    caFile: tls.cert,
    setUpstreams: (upstreams) => {
      writeFileSync(confFile, config(options.dir, port, tls, upstreams));
      execFileSync(binary, ['-c', confFile, '-p', options.dir, '-s', 'reload']);
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
