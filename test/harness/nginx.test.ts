import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startNginx, type LoadBalancer } from './nginx.js';

function backend(name: string): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ backend: name }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, address: `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
    }),
  );
}

function get(lb: LoadBalancer, agent: https.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${lb.httpsUrl}/`, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('nginx load balancer harness', () => {
  let lb: LoadBalancer;
  const backends: Array<{ server: http.Server; address: string }> = [];
  let agent: https.Agent;

  beforeAll(async () => {
    backends.push(await backend('a'), await backend('b'));
    lb = await startNginx({
      dir: mkdtempSync(path.join(os.tmpdir(), 'findash-nginx-')),
      upstreams: backends.map((b) => b.address),
    });
    agent = new https.Agent({ ca: readFileSync(lb.caFile), keepAlive: false });
  });
  afterAll(async () => {
    await lb.stop();
    for (const b of backends) b.server.close();
  });

  it('terminates TLS with a certificate trusted through its CA file and balances over the upstreams', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await get(lb, agent);
      expect(res.status).toBe(200);
      seen.add((JSON.parse(res.body) as { backend: string }).backend);
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('keeps answering when an upstream dies', async () => {
    await new Promise<void>((resolve) => backends[0]!.server.close(() => resolve()));
    for (let i = 0; i < 6; i++) {
      const res = await get(lb, agent);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ backend: 'b' });
    }
  });
});
