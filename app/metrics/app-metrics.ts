import type { IncomingMessage } from 'node:http';

import type { FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { AUDIT_ACTIONS } from '../audit/audit-actions.js';
import { RequestDurations } from './request-durations.js';

/** The Fastify request of a raw request, for answers written outside Fastify. */
export const FASTIFY_REQUEST = Symbol('findash.fastifyRequest');
export type LinkedRequest = IncomingMessage & { [FASTIFY_REQUEST]?: FastifyRequest };

/** Label for requests no route matched (404s for arbitrary paths must not mint new series). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Every API metric of monitoring/METRICS.md (the contract with the alert rules and Grafana),
 * on a Registry of this app instance's own: tests build many apps in one process. Labels are
 * bounded: route templates, never raw URLs; tenant types, never tenant ids.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly scrapeHooks: Array<() => Promise<void>> = [];

  readonly httpDuration = new RequestDurations([
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ]);
  readonly cacheHits = this.counter('findash_cache_hits_total', 'Dashboard cache hits', ['cache']);
  readonly cacheMisses = this.counter('findash_cache_misses_total', 'Dashboard cache misses', ['cache']);
  readonly cacheErrors = this.counter('findash_cache_errors_total', 'Memcached errors and timeouts', [
    'operation',
  ]);
  readonly breakerState = this.gauge(
    'findash_circuit_breaker_state',
    'Circuit breaker state: 0 closed, 1 open, 2 half-open',
    ['dependency'],
  );
  readonly dbErrors = this.counter('findash_db_errors_total', 'PostgreSQL errors', ['kind']);
  readonly dbPool = this.gauge('findash_db_pool_connections', 'PostgreSQL pool connections', ['state']);
  readonly dbPoolMax = this.gauge(
    'findash_db_pool_max',
    'Configured PostgreSQL pool size (DATABASE_POOL_MAX)',
  );
  readonly dbQueryDuration = new Histogram({
    name: 'findash_db_query_duration_seconds',
    help: 'Duration of database queries by operation (statement and table)',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly dbSlowQueries = this.counter(
    'findash_db_slow_queries_total',
    'Queries slower than DB_SLOW_QUERY_MS',
    ['operation'],
  );
  readonly dbSize = this.gauge('findash_db_size_bytes', 'Size of the database (collected at scrape)');
  readonly dbLockWaits = this.gauge(
    'findash_db_lock_waits',
    'Backends waiting on a lock (collected at scrape)',
  );
  readonly outboxDepth = this.gauge('findash_outbox_depth', 'Audit events not yet published to RabbitMQ');
  readonly outboxPublished = this.counter(
    'findash_outbox_published_total',
    'Audit events confirmed by RabbitMQ',
  );
  readonly outboxFailures = this.counter(
    'findash_outbox_publish_failures_total',
    'Failed attempts to publish audit events',
  );
  readonly auditEvents = this.counter('findash_audit_events_total', 'Audit events written', ['action']);
  readonly dashboardViews = this.counter('findash_dashboard_views_total', 'Dashboard views', ['tenant_type']);
  readonly activeTenants = this.gauge('findash_active_tenants', 'Tenants with status active');
  readonly activeUsers = this.gauge(
    'findash_active_users',
    'Distinct authenticated subjects seen by this instance in the last 5 minutes',
  );
  readonly rateLimited = this.counter('findash_rate_limited_total', 'Requests answered 429', ['tenant_type']);

  constructor() {
    this.registry.registerMetric(this.httpDuration.asRegistryMetric());
    collectDefaultMetrics({ register: this.registry });
    // Every series of a bounded label set exists from the start at 0, so rates and alerts see
    // a real zero instead of no data.
    this.cacheHits.inc({ cache: 'dashboard' }, 0);
    this.cacheMisses.inc({ cache: 'dashboard' }, 0);
    for (const operation of ['get', 'set', 'delete']) this.cacheErrors.inc({ operation }, 0);
    for (const kind of ['connection', 'query', 'timeout']) this.dbErrors.inc({ kind }, 0);
    for (const tenantType of ['user', 'organization']) {
      this.dashboardViews.inc({ tenant_type: tenantType }, 0);
      this.rateLimited.inc({ tenant_type: tenantType }, 0);
    }
    this.breakerState.set({ dependency: 'memcached' }, 0);
    this.outboxPublished.inc(0);
    this.outboxFailures.inc(0);
    // The audit actions the domain writes and the overflow label of slow queries: panels of both counters show a
    // zero line from the first scrape instead of "No data" until the first event.
    for (const action of AUDIT_ACTIONS) this.auditEvents.inc({ action }, 0);
    this.dbSlowQueries.inc({ operation: 'other' }, 0);
  }

  /** Times a request from its start (stamped in onRequest) to now, under `route`. */
  observeRequest(request: FastifyRequest, route: string, statusCode: number): void {
    this.httpDuration.observe(
      request.method,
      route,
      statusCode,
      (performance.now() - request.startedAt) / 1000,
    );
  }

  /**
   * Records an answer written on the raw response, outside Fastify's reply and its hooks (the
   * deadline's 503, app/plugins/app/deadlines.ts), under the route of the request it answered.
   */
  observeRawAnswer(req: IncomingMessage, statusCode: number): void {
    const request = (req as LinkedRequest)[FASTIFY_REQUEST];
    if (request) this.observeRequest(request, request.routeOptions.url ?? UNMATCHED_ROUTE, statusCode);
  }

  /** Work run before each scrape (e.g. reading the outbox depth); failures never fail the scrape. */
  onScrape(hook: () => Promise<void>): void {
    this.scrapeHooks.push(hook);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.scrapeHooks.map((hook) => hook()));
    return this.registry.metrics();
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
