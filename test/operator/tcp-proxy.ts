import net from 'node:net';

/**
 * A loopback TCP proxy that a test can sabotage: cut() resets every open connection (an API
 * server restart, a load balancer dropping idle streams), freeze() keeps them open but silently
 * drops their traffic from then on (a half-open connection: the watch simply goes quiet).
 * New connections after either pass through normally.
 */
export interface TcpProxy {
  readonly port: number;
  readonly openConnections: () => number;
  cut(): void;
  freeze(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  frozen: boolean;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair: Pair = { client, upstream, frozen: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.frozen) client.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    openConnections: () => pairs.size,
    cut() {
      for (const p of [...pairs]) {
        p.client.resetAndDestroy();
        p.upstream.destroy();
      }
    },
    freeze() {
      for (const p of pairs) p.frozen = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of [...pairs]) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
