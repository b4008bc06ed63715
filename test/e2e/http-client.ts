import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/**
 * A small HTTP(S) client for the e2e run: keep-alive connections, the stack's CA for TLS (the
 * certificate is verified, never ignored), timings, and the one retry every HTTP client makes:
 * an idempotent request that fails on a *reused* keep-alive connection before any byte of a
 * response arrived (the server closed the idle connection as we wrote, RFC 9112 §9.3.1) is
 * sent again once on a new connection. Those retries are counted so a report can show them.
 */
export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly ms: number;
  readonly requestId: string;
  /** The body parsed as JSON, typed as the caller expects it (like fetch's Response.json()). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  staleRetries = 0;

  constructor(
    readonly baseUrl: string,
    options: { ca?: string; maxSockets?: number } = {},
  ) {
    this.secure = baseUrl.startsWith('https:');
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    this.agent = this.secure
      ? new https.Agent({ ...agentOptions, ca: options.ca })
      : new http.Agent(agentOptions);
  }

  get(path: string, token?: string, headers?: Record<string, string>): Promise<HttpResult> {
    return this.request('GET', path, { ...(token ? { token } : {}), ...(headers ? { headers } : {}) });
  }

  post(path: string, token: string, body: unknown, headers?: Record<string, string>): Promise<HttpResult> {
    return this.request('POST', path, { token, body, ...(headers ? { headers } : {}) });
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const retriable = method === 'GET' || Boolean(options.headers?.['idempotency-key']);
    try {
      return await this.once(method, path, options);
    } catch (error) {
      if (retriable && (error as { reusedSocket?: boolean }).reusedSocket) {
        this.staleRetries += 1;
        return this.once(method, path, options);
      }
      throw error;
    }
  }

  private once(method: string, path: string, options: RequestOptions): Promise<HttpResult> {
    const url = new URL(path, this.baseUrl);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const transport = this.secure ? https : http;
    return new Promise<HttpResult>((resolve, reject) => {
      let responded = false;
      const req = transport.request(url, { method, headers, agent: this.agent }, (res) => {
        responded = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({
            status,
            headers: res.headers,
            text,
            ms: performance.now() - started,
            requestId: String(res.headers['x-request-id'] ?? ''),
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
            json: <T>() => {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new Error(`${method} ${path} -> ${status}: body is not JSON: ${text.slice(0, 200)}`);
              }
            },
          });
        });
      });
      req.setTimeout(options.timeoutMs ?? 15_000, () =>
        req.destroy(new Error(`${method} ${path}: timed out`)),
      );
      req.on('error', (error: Error & { reusedSocket?: boolean }) => {
        error.reusedSocket = req.reusedSocket && !responded;
        reject(error);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Repeats `probe` until it returns a value or the time is up; the last value or error explains a timeout. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, ms: Date.now() - started };
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
