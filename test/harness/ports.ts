import net from 'node:net';

/**
 * Ports handed out lie below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by
 * default) and below Kubernetes' NodePort range (30000-32767). A port the OS picks (listen on 0) comes from the
 * ephemeral range, where every outgoing connection also takes its source port: between freePort() and the
 * listen of the process it is meant for, a connection to RabbitMQ or PostgreSQL could take it (an API instance
 * of the e2e stack died on EADDRINUSE that way). Here only another freePort() caller can collide.
 */
export const FREE_PORT_RANGE = { low: 20_000, high: 29_999 } as const;

/** A free TCP port on loopback, from FREE_PORT_RANGE (a tiny race with other callers is accepted). */
export async function freePort(): Promise<number> {
  const { low, high } = FREE_PORT_RANGE;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} on 127.0.0.1 after 100 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function waitForPort(port: number, timeoutMs = 30_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
