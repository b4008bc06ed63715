import type { ErrorEvent } from '@sentry/node';

/** Credentials that must never leave the process: API tokens, bearer headers, JWTs. */
const SECRETS = [
  /fdt_[A-Za-z0-9_-]{20,}/g,
  /Bearer\s+[^\s"',]+/gi,
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /(postgres(?:ql)?|amqps?|https?):\/\/[^:/\s]+:[^@/\s]+@/gi,
];

export function scrubText(text: string): string {
  return SECRETS.reduce(
    (out, pattern) =>
      out.replace(pattern, (match) =>
        match.includes('://') ? match.replace(/:[^:@/]+@$/, ':[redacted]@') : '[redacted]',
      ),
    text,
  );
}

export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = /authorization|cookie|password|secret|token/i.test(key)
      ? '[redacted]'
      : scrubValue(item, depth + 1);
  }
  return out;
}

/**
 * beforeSend: no request bodies, cookies, query strings or headers (they carry tokens), no IP,
 * and any credential-looking text in messages, exceptions, breadcrumbs and contexts redacted.
 */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  if (event.request) {
    const { method } = event.request;
    event.request = method ? { method } : {};
  }
  if (event.user) event.user = event.user.id ? { id: event.user.id } : {};
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
  }
  if (event.breadcrumbs) event.breadcrumbs = scrubValue(event.breadcrumbs) as ErrorEvent['breadcrumbs'];
  if (event.extra) event.extra = scrubValue(event.extra) as ErrorEvent['extra'];
  if (event.contexts) event.contexts = scrubValue(event.contexts) as ErrorEvent['contexts'];
  return event;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * What is sent for an error. knex prefixes a failed query's message with the SQL and its bound
 * values (request data: names, descriptions, amounts); PostgreSQL's own message after the last
 * " - " says what went wrong without them. The stack frames are kept.
 */
export function reportableError(error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown; name?: unknown; stack?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !SQLSTATE.test(e.code) || typeof e.message !== 'string')
    return error;
  const cut = e.message.lastIndexOf(' - ');
  const clean = new Error(`PostgreSQL ${e.code}: ${cut >= 0 ? e.message.slice(cut + 3) : e.message}`);
  clean.name = typeof e.name === 'string' ? e.name : 'DatabaseError';
  const frames =
    typeof e.stack === 'string' ? e.stack.split('\n').filter((line) => line.startsWith('    at ')) : [];
  clean.stack = [`${clean.name}: ${clean.message}`, ...frames].join('\n');
  return clean;
}

/**
 * Error reporting to Sentry when SENTRY_DSN is set: unhandled exceptions and rejections, and
 * every request that fails with a 5xx, tagged with the request id, route template and tenant id.
 * Sentry keeps one client per process, so it is initialised once; several app instances (tests)
 * share it. Sentry's own OpenTelemetry setup stays off: app/telemetry.ts owns tracing.
 */
