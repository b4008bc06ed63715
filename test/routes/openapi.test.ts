import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { cursorPattern } from '../../app/domain/paging/cursor.js';
import { BOUNDED_DATE_PATTERN, checkDate, TIMESTAMP_PATTERN } from '../../app/domain/ledger/validate.js';
import { CURRENCY_CODES } from '../../app/domain/money/currency.js';
import { RANGE_DAY_PATTERN, RANGE_INSTANT_PATTERN } from '../../app/domain/time-range.js';
import { bearer, startTestApp, type TestApp, type TestTenant } from '../harness/app.js';

interface Schema {
  type?: string;
  pattern?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: Schema;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
}
interface Document {
  tags?: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
}

/** The OpenAPI document says what the server does: statuses, parameters and their rules. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let doc: Document;
  const operations: Array<{ method: string; path: string; op: Operation }> = [];

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.createTenant();
    doc = (await t.app.inject({ url: '/docs/json' })).json<Document>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) operations.push({ method, path, op });
    }
  });
  afterAll(async () => t.close());

  const param = (path: string, method: string, name: string): Parameter => {
    const found = doc.paths[path]?.[method]?.parameters?.find((p) => p.name === name);
    if (!found) throw new Error(`${method} ${path} documents no parameter ${name}`);
    return found;
  };
  const body = (path: string, method = 'post'): Schema => {
    const schema = doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
    if (!schema) throw new Error(`${method} ${path} documents no JSON body`);
    return schema;
  };
  /** A request path for a documented path: ids are random UUIDs, names a fresh tenant name. */
  const concrete = (path: string): string =>
    path.replace('{id}', randomUUID()).replace('{name}', `nobody-${process.pid}`);
  const isHealth = (path: string): boolean => path.startsWith('/health');

  it('gives every operation a unique operationId, declared tags, a summary and a description', () => {
    expect(operations.length).toBeGreaterThan(30);
    const declared = new Set((doc.tags ?? []).map((tag) => tag.name));
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations) {
      const where = `${method} ${path}`;
      expect([where, op.operationId]).toEqual([where, expect.stringMatching(/^[a-z][A-Za-z]+$/)]);
      expect([where, op.tags?.length]).toEqual([where, 1]);
      expect([where, declared.has(op.tags?.[0] ?? '')]).toEqual([where, true]);
      expect([where, op.summary]).toEqual([where, expect.any(String)]);
      expect([where, op.description]).toEqual([where, expect.stringMatching(/\S/)]);
    }
  });

  it('documents the dashboard at /financial/dashboard, without a trailing slash', async () => {
    expect(doc.paths['/financial/dashboard']?.get?.operationId).toBe('getDashboard');
    expect(Object.keys(doc.paths).filter((path) => path.length > 1 && path.endsWith('/'))).toEqual([]);
    const res = await t.app.inject({ url: '/financial/dashboard', headers: bearer(tenant.tokens.viewer) });
    expect(res.statusCode).toBe(200);
  });

  it('lists explicit error statuses on every operation, admin ones included', () => {
    for (const { method, path, op } of operations) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(op.responses);
      expect([where, statuses.filter((s) => /x/i.test(s))]).toEqual([where, []]);
      if (isHealth(path)) continue;
      const expected = path.startsWith('/admin')
        ? ['400', '401', '404', '503']
        : ['400', '401', '403', '429', '503'];
      if (method !== 'get') expected.push('413', '415');
      if (path.includes('{')) expected.push('404');
      expect([where, statuses]).toEqual([where, expect.arrayContaining(expected)]);
    }
    expect(Object.keys(doc.paths['/financial/transactions']?.post?.responses ?? {})).toContain('422');
    expect(Object.keys(doc.paths['/financial/accounts/{id}']?.delete?.responses ?? {})).toContain('409');
    expect(Object.keys(doc.paths['/admin/tenants']?.post?.responses ?? {})).toContain('409');
  });

  it('documents the status each operation answers without a token, and with a token of too weak a role', async () => {
    for (const { method, path, op } of operations) {
      if (isHealth(path)) continue;
      const url = concrete(path);
      const anonymous = await t.app.inject({ method: method.toUpperCase() as 'GET', url });
      expect([method, path, anonymous.statusCode in op.responses]).toEqual([method, path, true]);
      if (path.startsWith('/admin')) continue;
      const weak = await t.app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: bearer(tenant.tokens.viewer),
      });
      expect([method, path, weak.statusCode in op.responses]).toEqual([method, path, true]);
    }
  });

  it('marks no parameter with a default as required (limit, purge)', () => {
    expect(param('/admin/tenants', 'get', 'limit')).toMatchObject({
      required: false,
      schema: { default: 100 },
    });
    expect(param('/admin/tenants/{name}', 'delete', 'purge')).toMatchObject({
      required: false,
      schema: { default: false },
    });
    for (const { method, path, op } of operations) {
      for (const p of op.parameters ?? []) {
        if (p.schema.default !== undefined)
          expect([method, path, p.name, p.required]).toEqual([method, path, p.name, false]);
      }
    }
  });

  it('carries the server’s own patterns and formats for currency, dates, occurred_at and cursors', () => {
    // The currencies the server accepts, not just three letters: "AAA" is refused by the schema too.
    expect(param('/financial/accounts', 'get', 'currency').schema.enum).toEqual(CURRENCY_CODES);
    expect(body('/financial/accounts').properties?.currency?.enum).toEqual(CURRENCY_CODES);
    expect(body('/admin/tenants').properties?.base_currency?.enum).toEqual(CURRENCY_CODES);
    expect(CURRENCY_CODES).not.toContain('AAA');
    for (const path of ['/financial/transactions', '/financial/transfers']) {
      expect(body(path).properties?.occurred_at).toMatchObject({
        pattern: TIMESTAMP_PATTERN,
        format: 'date-time',
      });
    }
    expect(
      body('/financial/transactions/batch').properties?.transactions?.items?.properties?.occurred_at,
    ).toMatchObject({
      pattern: TIMESTAMP_PATTERN,
    });
    for (const field of ['start_date', 'end_date']) {
      expect(body('/financial/budgets').properties?.[field]).toMatchObject({
        pattern: BOUNDED_DATE_PATTERN,
        format: 'date',
      });
    }
    for (const kind of ['accounts', 'budgets', 'transactions', 'audit'] as const) {
      expect(param(`/financial/${kind}`, 'get', 'cursor').schema.pattern).toBe(cursorPattern(kind));
    }
  });

  it('takes from/to in one format everywhere: a day or a date-time with offset, its pattern and format stated', () => {
    const expected = {
      anyOf: [
        { type: 'string', pattern: RANGE_DAY_PATTERN, format: 'date' },
        { type: 'string', pattern: RANGE_INSTANT_PATTERN, format: 'date-time' },
      ],
    };
    const reference = param('/financial/transactions', 'get', 'from');
    expect(reference.schema).toMatchObject(expected);
    for (const path of [
      '/financial/transactions',
      '/financial/audit',
      '/financial/dashboard',
      '/financial/dashboard/summary',
      '/financial/dashboard/transactions',
      '/financial/dashboard/budgets',
    ]) {
      for (const name of ['from', 'to']) {
        // The same schema and description, word for word; only the name differs.
        expect([path, { ...param(path, 'get', name), name: 'from' }]).toEqual([path, reference]);
      }
    }
  });

  it('refuses on the audit log what it refuses on the transactions list, and accepts what it accepts', async () => {
    for (const path of ['/financial/transactions', '/financial/audit']) {
      const get = (query: string) =>
        t.app.inject({ url: `${path}?${query}`, headers: bearer(tenant.tokens.admin) });
      const notADay = await get('from=2026-02-30');
      expect([path, notADay.statusCode, notADay.json().field]).toEqual([path, 400, 'from']);
      const day = await get('from=2026-01-01&to=2026-01-31');
      expect([path, day.statusCode]).toEqual([path, 200]);
      const micro = await get(`to=${encodeURIComponent('2026-01-01T00:00:00.123456Z')}`);
      expect([path, micro.statusCode, micro.json().field]).toEqual([path, 400, 'to']);
      const ok = await get(`from=${encodeURIComponent('2026-01-01T00:00:00+02:00')}&to=2026-02-01T00:00:00Z`);
      expect([path, ok.statusCode]).toEqual([path, 200]);
    }
  });

  it('answers 200 to every cursor its schema admits (Schemathesis: schema-valid cursor=0 was refused)', async () => {
    for (const kind of ['accounts', 'budgets', 'transactions', 'audit'] as const) {
      const pattern = new RegExp(param(`/financial/${kind}`, 'get', 'cursor').schema.pattern ?? '$^');
      for (const cursor of [
        `${kind}.0.00000000-0000-0000-0000-000000000000`,
        `${kind}.-9999999999999999.ffffffff-ffff-ffff-ffff-ffffffffffff`,
        `${kind}.9999999999999999.e3e70682-c209-1cac-a29f-6fbed82c07cd`,
      ]) {
        expect(pattern.test(cursor)).toBe(true);
        const res = await t.app.inject({
          url: `/financial/${kind}?cursor=${cursor}`,
          headers: bearer(tenant.tokens.admin),
        });
        expect([cursor, res.statusCode]).toEqual([cursor, 200]);
      }
      expect(pattern.test('0')).toBe(false);
    }
  });

  it('bounds budget dates to the years checkDate accepts (Schemathesis: end_date 2201 passed the schema)', () => {
    const pattern = new RegExp(body('/financial/budgets').properties?.end_date?.pattern ?? '$^');
    for (const date of ['1899-12-31', '1900-01-01', '2024-02-29', '2200-12-31', '2201-01-01', '0034-01-03']) {
      let accepted = true;
      try {
        checkDate('end_date', date);
      } catch {
        accepted = false;
      }
      expect([date, pattern.test(date)]).toEqual([date, accepted]);
    }
  });
});
