import { readFileSync } from 'node:fs';
import net from 'node:net';

import { describe, expect, it } from '@jest/globals';

import { freePort } from './ports.js';

describe('freePort', () => {
  it('hands out ports an outgoing connection cannot take meanwhile (below the ephemeral range)', async () => {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port).toBeLessThan(Math.min(ephemeralLow ?? 32_768, 30_000));
  });

  it('hands out a port that can be listened on', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
