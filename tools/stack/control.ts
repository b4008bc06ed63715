import { randomBytes } from 'node:crypto';
import http from 'node:http';

/**
 * The supervisor's control API: a loopback HTTP server taking `POST /<action>` with a JSON body
 * and a bearer token (from state.json, mode 0600). The CLI (`stack:down`, `stack:rollback`,
 * `stack:fault`) and the e2e run drive the stack through it. Actions run one at a time.
 */
export type ActionHandler = (body: Record<string, unknown>) => Promise<unknown>;

export interface ControlServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export async function startControlServer(
  actions: Readonly<Record<string, ActionHandler>>,
): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  let queue: Promise<unknown> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const send = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      send(401, { error: 'bad control token' });
      return;
    }
    const name = (req.url ?? '/').replace(/^\//, '').split('?')[0] ?? '';
    const action = actions[name];
    if (!action) {
      send(404, { error: `unknown action ${name}; have ${Object.keys(actions).join(', ')}` });
      return;
    }
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        send(400, { error: 'body is not JSON' });
        return;
      }
      // `status` and `shutdown` never wait behind a long action (a rollout takes tens of seconds).
      const run =
        name === 'status' || name === 'shutdown'
          ? action(body)
          : (queue = queue.catch(() => undefined).then(() => action(body)));
      run.then(
        (result) => send(200, result ?? {}),
        (error: unknown) => send(500, { error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Calls an action; rejects with the supervisor's error message. */
export async function callControl<T = unknown>(
  control: { url: string; token: string },
  action: string,
  body: Record<string, unknown> = {},
  timeoutMs = 300_000,
): Promise<T> {
  const response = await fetch(`${control.url}/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const value = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`stack ${action}: ${value.error ?? response.status}`);
  return value;
}
