/**
 * OpenTelemetry bootstrap. It must run before anything imports http, pg, amqplib or fastify,
 * so it is loaded with `--import` ahead of the server:
 *
 *   node --import ./dist/app/telemetry.js dist/app/server.js       (image)
 *   tsx --import ./app/telemetry.ts app/server.ts                  (development)
 *
 * With OTEL_EXPORTER_OTLP_ENDPOINT unset it does nothing (and costs nothing). Otherwise traces
 * go over OTLP/HTTP to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`, protobuf by default or JSON
 * with OTEL_EXPORTER_OTLP_PROTOCOL=http/json, from four instrumentations only: HTTP (the
 * request span and its W3C trace context), Fastify (route and handler spans), pg (one span per
 * query) and amqplib (audit publishing). Sampling follows the standard OTEL_TRACES_SAMPLER
 * variables (default: parent-based, always on). Scrapes and probes are not traced.
 *
 * Only the auto-instrumented libraries are loaded here; plain imports below keep this file
 * cheap when tracing is off (dynamic imports run only when it is on).
 */
const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

const UNTRACED = /^\/(metrics|health)(\/|\?|$)/;

async function start(): Promise<void> {
  const [
    { NodeSDK },
    { HttpInstrumentation },
    { PgInstrumentation },
    { AmqplibInstrumentation },
    fastifyOtel,
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-amqplib'),
    import('@fastify/otel'),
  ]);
  const protocol = process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  const traceExporter =
    protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  const FastifyOtelInstrumentation = fastifyOtel.default.FastifyOtelInstrumentation;
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'findash-api',
    traceExporter,
    // Metrics are Prometheus's job (GET /metrics); logs go to stdout with trace ids in them.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED.test(request.url ?? ''),
      }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // One span per request and handler is useful; one per lifecycle hook is noise.
        instrumentHooks: false,
        ignorePaths: (route) => UNTRACED.test(route.url),
      }),
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new AmqplibInstrumentation(),
    ],
  });
  sdk.start();
  // gracefulShutdown (app/shutdown.ts) flushes spans through the API before the process exits;
  // this covers a natural exit.
  process.once('beforeExit', () => {
    sdk.shutdown().catch(() => undefined);
  });
}

if (endpoint) await start();

export {};
