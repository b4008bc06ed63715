import { Type, type Static } from 'typebox';
import Value from 'typebox/value';

/**
 * Every environment variable the API reads, with its default, validated once at start-up.
 * A bad value stops the process with a message naming the variable (see loadConfig).
 */
const LogLevel = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('trace'),
  Type.Literal('silent'),
]);
const Environment = Type.Union([
  Type.Literal('development'),
  Type.Literal('testing'),
  Type.Literal('staging'),
  Type.Literal('production'),
]);
const OptionalUrl = Type.Optional(Type.String({ minLength: 1, pattern: '^[a-z][a-z0-9+.-]*://' }));
const Milliseconds = (def: number) => Type.Integer({ minimum: 0, maximum: 600_000, default: def });

export const ConfigSchema = Type.Object({
  FINDASH_ENV: Type.Optional(Environment),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
  // Set: /metrics is served on this port only (a listener of its own that the Service exposes to Prometheus
  // and no Ingress routes to); unset: /metrics on PORT, as on a laptop.
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  // The database gauges (size, lock waits, active tenants, outbox depth) are read at most this often; scrapes
  // in between answer the last values, so a scrape storm never turns into PostgreSQL queries.
  METRICS_DB_REFRESH_MS: Milliseconds(15_000),
  LOG_LEVEL: Type.Optional(LogLevel),
  DATABASE_URL: OptionalUrl,
  DATABASE_OWNER_URL: OptionalUrl,
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 500, default: 10 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Milliseconds(5000),
  DB_SLOW_QUERY_MS: Milliseconds(200),
  EMBEDDED_PG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 54329 }),
  FINDASH_DATA_DIR: Type.String({ default: '.findash' }),
  MEMCACHED_SERVERS: Type.Optional(Type.String({ pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$' })),
  DASHBOARD_CACHE_TTL: Type.Integer({ minimum: 0, maximum: 86_400, default: 600 }),
  MEMCACHED_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 10_000, default: 150 }),
  MEMCACHED_BREAKER_COOLDOWN_MS: Milliseconds(5000),
  AMQP_URL: OptionalUrl,
  AUDIT_OUTBOX_POLL_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 500 }),
  AUDIT_VIEW_FLUSH_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 5000 }),
  AUDIT_VIEW_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 100_000, default: 500 }),
  SENTRY_DSN: OptionalUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: OptionalUrl,
  OTEL_SERVICE_NAME: Type.String({ default: 'findash-api' }),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 24 })),
  JWT_JWKS_URL: OptionalUrl,
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_JWKS: Type.Optional(Type.String({ minLength: 2 })),
  OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  OIDC_SCOPE: Type.String({ minLength: 1, default: 'openid' }),
  RATE_LIMIT_DEFAULT_RPM: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 600 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 104_857_600, default: 1_048_576 }),
  REQUEST_TIMEOUT_MS: Milliseconds(10_000),
  SHUTDOWN_GRACE_MS: Milliseconds(10_000),
  SHUTDOWN_DRAIN_MS: Milliseconds(0),
  SEED_DEMO: Type.Optional(Type.Boolean()),
});

type RawConfig = Static<typeof ConfigSchema>;

export interface AppConfig extends Omit<RawConfig, 'FINDASH_ENV' | 'HOST' | 'LOG_LEVEL' | 'SEED_DEMO'> {
  readonly FINDASH_ENV: 'development' | 'testing' | 'staging' | 'production';
  readonly HOST: string;
  readonly LOG_LEVEL: Static<typeof LogLevel>;
  readonly SEED_DEMO: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  const known = Object.keys(ConfigSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const value = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  if (!Value.Check(ConfigSchema, value)) {
    const problems = new Map<string, string>();
    for (const error of Value.Errors(ConfigSchema, value)) {
      const name = error.instancePath.replace(/^\//, '');
      if (!problems.has(name)) problems.set(name, `${name}=${JSON.stringify(raw[name])}: ${error.message}`);
    }
    throw new ConfigError([...problems.values()]);
  }
  if ((value.JWT_JWKS_URL ?? value.JWT_JWKS) && (!value.JWT_ISSUER || !value.JWT_AUDIENCE)) {
    // A token from any issuer or for any audience signed by a trusted key must not be accepted.
    throw new ConfigError([`JWT_ISSUER and JWT_AUDIENCE are required when JWT_JWKS_URL or JWT_JWKS is set`]);
  }
  const environment = value.FINDASH_ENV ?? 'production';
  return {
    ...value,
    FINDASH_ENV: environment,
    // A laptop's `npm start` stays on loopback; containers and servers set HOST or listen everywhere.
    HOST: value.HOST ?? (environment === 'development' ? '127.0.0.1' : '0.0.0.0'),
    LOG_LEVEL: value.LOG_LEVEL ?? (environment === 'development' ? 'debug' : 'info'),
    SEED_DEMO: value.SEED_DEMO ?? environment === 'development',
  };
}
