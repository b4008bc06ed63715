import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One envelope item as Sentry sends it: its header and its (JSON) payload. */
export interface EnvelopeItem {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

export interface Envelope {
  readonly header: Record<string, unknown>;
  readonly items: EnvelopeItem[];
  /** The request as received, for asserting what never leaves the process. */
  readonly raw: string;
  readonly path: string;
}

/**
 * A local stand-in for Sentry's ingest endpoint: accepts envelopes on
 * POST /api/<project>/envelope/ and keeps them for assertions. `dsn` is what SENTRY_DSN is set to.
 */
export interface SentrySink {
  readonly dsn: string;
  readonly envelopes: Envelope[];
  /** Error events received so far. */
  events(): Array<Record<string, unknown>>;
  waitForEvents(count: number, timeoutMs?: number): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decode(raw: Buffer, encoding: string | undefined): string {
  if (encoding === 'gzip') return gunzipSync(raw).toString('utf8');
  if (encoding === 'deflate') return inflateSync(raw).toString('utf8');
  return raw.toString('utf8');
}

/** Envelope format: a header line, then per item a header line and a payload line. */
export function parseEnvelope(text: string, path: string): Envelope {
  const lines = text.split('\n');
  const header = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) {
    if (!lines[i]) continue;
    const itemHeader = JSON.parse(lines[i] ?? '{}') as { type?: string };
    let payload: Record<string, unknown> = {};
    try {
      payload = JSON.parse(lines[i + 1] ?? '{}') as Record<string, unknown>;
    } catch {
      payload = { unparsed: lines[i + 1] };
    }
    items.push({ type: itemHeader.type ?? 'unknown', payload });
  }
  return { header, items, raw: text, path };
}

export async function startSentrySink(): Promise<SentrySink> {
  const envelopes: Envelope[] = [];
  const server = createServer((request, response) => {
    void body(request).then((raw) => {
      const text = decode(raw, request.headers['content-encoding']);
      envelopes.push(parseEnvelope(text, request.url ?? ''));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const events = (): Array<Record<string, unknown>> =>
    envelopes.flatMap((e) => e.items.filter((item) => item.type === 'event').map((item) => item.payload));
  return {
    dsn: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${port}/42`,
    envelopes,
    events,
    async waitForEvents(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} Sentry events, got ${events().length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return events();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
