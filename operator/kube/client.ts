import https from 'node:https';
import http from 'node:http';

import type * as k8s from '@kubernetes/client-node';

import { KubeApiError, isNotFound } from './errors.js';
import type { Status } from './types.js';

/**
 * A small JSON client for the Kubernetes API. @kubernetes/client-node 1.x builds a new
 * https.Agent for every request, so every call pays a TLS handshake; at a few hundred Tenants
 * that dominates reconcile time. This client keeps one keep-alive agent and still takes
 * configuration and credentials (client certs, bearer tokens, exec plugins, in-cluster token
 * files) from the library's KubeConfig, asking it for fresh auth headers on every request.
 */

export interface Impersonation {
  readonly user: string;
  readonly groups?: readonly string[];
}

export interface KubeClientOptions {
  /** Act as another identity (tests use it to run the operator with only its ClusterRole). */
  readonly impersonate?: Impersonation;
  readonly userAgent?: string;
  /** Timeout of one non-watch request. */
  readonly requestTimeoutMs?: number;
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
}

export type JsonPatchOp =
  { op: 'add' | 'replace' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

/** Counts of requests by verb, so tests can prove a no-op resync writes nothing. */
export type RequestCounts = Record<string, number>;

export class KubeClient {
  readonly server: URL;
  readonly counts: RequestCounts = {};
  private readonly agent: http.Agent;
  private readonly kc: k8s.KubeConfig;
  private readonly options: KubeClientOptions;
  /** TLS settings for connections made outside the pool (watches). */
  private readonly tls: https.RequestOptions;

  private constructor(
    kc: k8s.KubeConfig,
    server: URL,
    agent: http.Agent,
    tls: https.RequestOptions,
    options: KubeClientOptions,
  ) {
    this.kc = kc;
    this.server = server;
    this.agent = agent;
    this.tls = tls;
    this.options = options;
  }

  static async create(kc: k8s.KubeConfig, options: KubeClientOptions = {}): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const server = new URL(cluster.server);
    const tls: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    const connection: https.RequestOptions = {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      pfx: tls.pfx,
      passphrase: tls.passphrase,
      servername: cluster.tlsServerName ?? tls.servername ?? undefined,
    };
    if (cluster.skipTLSVerify) connection.rejectUnauthorized = false;
    const agent =
      server.protocol === 'http:'
        ? new http.Agent({ keepAlive: true })
        : new https.Agent({
            ...connection,
            keepAlive: true,
            maxSockets: 64,
            maxFreeSockets: 16,
          } as https.AgentOptions);
    return new KubeClient(kc, server, agent, connection, options);
  }

  private dropIdleConnections(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private async headers(contentType?: string): Promise<http.OutgoingHttpHeaders> {
    // Asked per request: token files (in-cluster) and exec plugins rotate credentials.
    const auth: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(auth);
    const headers: http.OutgoingHttpHeaders = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'findash-operator',
      ...(auth.headers as http.OutgoingHttpHeaders | undefined),
    };
    if (auth.auth) headers.authorization = `Basic ${Buffer.from(auth.auth).toString('base64')}`;
    if (contentType) headers['content-type'] = contentType;
    const imp = this.options.impersonate;
    if (imp) {
      headers['impersonate-user'] = imp.user;
      if (imp.groups && imp.groups.length > 0) headers['impersonate-group'] = [...imp.groups];
    }
    return headers;
  }

  private url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    this.counts[method] = (this.counts[method] ?? 0) + 1;
    const url = this.url(path, options.query);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers = await this.headers(payload ? (options.contentType ?? 'application/json') : undefined);
    if (payload) headers['content-length'] = payload.length;
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise<T>((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            try {
              resolve((text ? JSON.parse(text) : {}) as T);
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
            return;
          }
          reject(new KubeApiError(code, parseStatus(text), method, path));
        });
      });
      req.setTimeout(this.options.requestTimeoutMs ?? 30_000, () => {
        req.destroy(
          new Error(`${method} ${path}: no answer within ${this.options.requestTimeoutMs ?? 30_000} ms`),
        );
        // A silent connection usually means a dead network path (a restarted load balancer, a
        // half-open TCP stream): the other idle pooled connections are suspect too, so drop them
        // rather than let the next requests time out on them one by one.
        this.dropIdleConnections();
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  async getOrNull<T>(path: string): Promise<T | null> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  update<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  /** Server-side apply: the operator owns exactly the fields it sends. */
  apply<T>(path: string, body: unknown, fieldManager: string, force = true): Promise<T> {
    return this.request<T>('PATCH', path, {
      body,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force },
    });
  }

  mergePatch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body, contentType: 'application/merge-patch+json' });
  }

  jsonPatch<T>(path: string, ops: JsonPatchOp[]): Promise<T> {
    return this.request<T>('PATCH', path, { body: ops, contentType: 'application/json-patch+json' });
  }

  /** Deletes; a missing object counts as deleted. */
  async delete(
    path: string,
    propagationPolicy: 'Background' | 'Foreground' = 'Background',
  ): Promise<boolean> {
    try {
      await this.request('DELETE', path, {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Streams a watch: calls onLine for every newline-delimited JSON object and resolves when the
   * server ends the response. onData fires on every chunk, so a watchdog can notice silence.
   */
  async stream(
    path: string,
    query: RequestOptions['query'],
    handlers: { onLine(line: unknown): void; onData?(): void },
    signal: AbortSignal,
  ): Promise<void> {
    this.counts.WATCH = (this.counts.WATCH ?? 0) + 1;
    const url = this.url(path, query);
    const headers = await this.headers();
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise<void>((resolve, reject) => {
      // Watches get their own connection: a long-lived response would pin a pooled socket.
      const req = lib.request(url, { method: 'GET', headers, agent: false, ...this.tls, signal }, (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            reject(
              new KubeApiError(code, parseStatus(Buffer.concat(chunks).toString('utf8')), 'WATCH', path),
            ),
          );
          res.on('error', reject);
          return;
        }
        res.socket.setKeepAlive(true, 10_000);
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          handlers.onData?.();
          buffered += chunk;
          let nl = buffered.indexOf('\n');
          while (nl >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) {
              try {
                handlers.onLine(JSON.parse(line));
              } catch (err) {
                req.destroy(err instanceof Error ? err : new Error(String(err)));
                return;
              }
            }
            nl = buffered.indexOf('\n');
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`watch ${path} aborted`)));
      });
      req.on('error', reject);
      req.on('close', () => resolve());
      req.end();
    });
  }
}

function parseStatus(text: string): Status {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // not JSON: fall through
  }
  return { message: text.slice(0, 500) };
}
