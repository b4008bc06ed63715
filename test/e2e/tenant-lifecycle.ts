import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { applyTenants, readToken, waitTenantReady } from '../../tools/stack/tenants.js';
import { AuditTap } from './audit-tap.js';
import { eventually, type HttpClient } from './http-client.js';
import type { Report } from './report.js';
import type { StackHandle } from './stack-handle.js';

/**
 * The life a platform engineer and an API client live through: a Tenant applied with kubectl
 * becomes Ready, its token (read from the Secret the operator wrote) writes accounts,
 * transactions and budgets through nginx over HTTPS, the dashboard shows exactly those numbers
 * from every instance, a second write is visible at once everywhere, the audit messages are in
 * RabbitMQ, suspending the Tenant forbids its token and deleting it revokes it.
 */
const TENANT = 'e2e-acme';
const CLIENT = 'ledger-writer';

interface Money {
  currency: string;
  amount: string;
}
/** The parts of GET /financial/dashboard checked here; optional because the answer is what is under test. */
interface Dashboard {
  financial_summary?: {
    total_balance?: Money[];
    total_accounts?: number;
    active_accounts?: number;
    total_transactions?: number;
  };
  account_summaries?: Array<{ account_id: string; name: string; balance: string; currency: string }>;
  transaction_summary?: {
    total_transactions?: number;
    income?: Money[];
    expenses?: Money[];
    total_amount?: Money[];
  };
  budget_statuses?: Array<{
    budget_id: string;
    name: string;
    total_amount: string;
    spent_amount: string;
    remaining: string;
    is_over_budget: boolean;
  }>;
  tenant_info?: { name: string };
}

interface Expected {
  balances: Record<string, string>;
  totalBalance: string;
  transactions: number;
  income: string;
  expenses: string;
  budgetSpent: string;
  budgetRemaining: string;
}

/** The figures a dashboard must show, compared field by field; returns the differences. */
function differences(d: Dashboard, e: Expected): string[] {
  const problems: string[] = [];
  const eq = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const usd = (list: Money[] | undefined) => list?.find((m) => m.currency === 'USD')?.amount ?? '(none)';
  eq('tenant', d.tenant_info?.name, TENANT);
  eq('total_balance USD', usd(d.financial_summary?.total_balance), e.totalBalance);
  eq('total_accounts', d.financial_summary?.total_accounts, Object.keys(e.balances).length);
  eq('total_transactions', d.financial_summary?.total_transactions, e.transactions);
  for (const [name, balance] of Object.entries(e.balances)) {
    eq(`balance of ${name}`, d.account_summaries?.find((a) => a.name === name)?.balance, balance);
  }
  eq('income USD', usd(d.transaction_summary?.income), e.income);
  eq('expenses USD', usd(d.transaction_summary?.expenses), e.expenses);
  const budget = d.budget_statuses?.find((b) => b.name === 'Groceries');
  eq('budget spent', budget?.spent_amount, e.budgetSpent);
  eq('budget remaining', budget?.remaining, e.budgetRemaining);
  eq('budget over', budget?.is_over_budget, false);
  return problems;
}

function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

async function created(
  client: HttpClient,
  token: string,
  path: string,
  body: unknown,
  key?: string,
): Promise<{ id: string }> {
  const response = await client.post(path, token, body, key ? { 'idempotency-key': key } : undefined);
  if (response.status !== 201)
    throw new Error(`POST ${path} -> ${response.status} ${response.text.slice(0, 300)}`);
  return response.json<{ id: string }>();
}

/** Reads the dashboard `rounds` times through the LB and once from each instance directly. */
async function readEverywhere(
  stack: StackHandle,
  token: string,
  rounds: number,
): Promise<{
  viaLb: Array<{ requestId: string; body: Dashboard; status: number }>;
  direct: Array<{ name: string; body: Dashboard; status: number }>;
}> {
  const viaLb = [];
  for (let i = 0; i < rounds; i += 1) {
    const r = await stack.lb.get('/financial/dashboard', token);
    viaLb.push({
      requestId: r.requestId,
      status: r.status,
      body: r.status === 200 ? r.json<Dashboard>() : ({} as Dashboard),
    });
  }
  const direct = [];
  for (const { name, client } of stack.instanceClients()) {
    const r = await client.get('/financial/dashboard', token);
    direct.push({ name, status: r.status, body: r.status === 200 ? r.json<Dashboard>() : ({} as Dashboard) });
    client.close();
  }
  return { viaLb, direct };
}

async function checkDashboards(
  report: Report,
  stack: StackHandle,
  name: string,
  token: string,
  expected: Expected,
  rounds: number,
): Promise<void> {
  await report.run(name, async () => {
    const { viaLb, direct } = await readEverywhere(stack, token, rounds);
    const problems = [
      ...viaLb.flatMap((r, i) =>
        r.status !== 200
          ? [`LB read ${i + 1}: ${r.status}`]
          : differences(r.body, expected).map((p) => `LB read ${i + 1}: ${p}`),
      ),
      ...direct.flatMap((r) =>
        r.status !== 200
          ? [`${r.name}: ${r.status}`]
          : differences(r.body, expected).map((p) => `${r.name}: ${p}`),
      ),
    ];
    // Which instance answered each read through nginx (from the request id in its log).
    const ids = viaLb.map((r) => r.requestId);
    const served = await eventually(
      'request ids in the API logs',
      async () => {
        const map = stack.servedBy(ids);
        return map.size === ids.length ? map : undefined;
      },
      5000,
    ).then(
      (r) => r.value,
      () => stack.servedBy(ids),
    );
    const instances = new Set(served.values());
    const all = stack.state.api.map((a) => a.name);
    const missing = all.filter((n) => !instances.has(n));
    if (missing.length > 0)
      problems.push(`no read through the load balancer was served by ${missing.join(', ')}`);
    const byInstance = all.map((n) => `${n}×${[...served.values()].filter((v) => v === n).length}`).join(' ');
    return [
      problems.length === 0,
      problems.length === 0
        ? `balance ${expected.totalBalance} USD, ${expected.transactions} transactions, income ${expected.income}, expenses ${expected.expenses}, budget spent ${expected.budgetSpent}: identical on ${rounds} reads through nginx (served by ${byInstance}) and on each of ${direct.length} instances directly`
        : problems.slice(0, 6).join('; '),
    ];
  });
}

export async function tenantLifecycle(report: Report, stack: StackHandle): Promise<void> {
  report.step(`Tenant ${TENANT}: kubectl apply -> Ready -> token from its Secret`);
  const applied = Date.now();
  let token = '';
  const ready = await report.run('Tenant applied with kubectl becomes Ready', async () => {
    await applyTenants(stack.kube, [
      { name: TENANT, clients: [{ name: CLIENT, role: 'admin' }], requestsPerMinute: 100_000 },
    ]);
    await waitTenantReady(stack.kube, TENANT, 60);
    const phase = await stack.kubectl(['get', 'tenant', TENANT, '-o', 'jsonpath={.status.phase}']);
    return [
      phase === 'Ready',
      `phase ${phase}, Ready ${((Date.now() - applied) / 1000).toFixed(1)} s after kubectl apply`,
    ];
  });
  if (ready) {
    await report.run('token read from the credentials Secret', async () => {
      token = await readToken(stack.kube, TENANT, CLIENT);
      return [
        token.length > 20,
        `Secret tenant-${TENANT}/${CLIENT}-token key "token": ${token.length} characters`,
      ];
    });
  }
  if (!token) {
    report.check(
      'tenant lifecycle',
      false,
      'skipped the rest of the tenant lifecycle: no Ready Tenant/token (see above)',
    );
    return;
  }

  const tap = new AuditTap(stack.state.rabbitmq.amqpUrl);
  // Events from before the queue was bound (the operator's tenant.created...) were never routed to it.
  let boundAt = new Date();
  const tapReady = await report.run('audit consumer bound to exchange findash.audit', async () => {
    await tap.start(20_000);
    boundAt = new Date();
    return [true, `durable queue bound with audit.# before the first write`];
  });

  try {
    report.step('writes through nginx over HTTPS: accounts, transactions, budget');
    const lb = stack.lb;
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const expected: Expected = {
      balances: { Operating: '2300.00', Reserve: '1000.00' },
      totalBalance: '3300.00',
      transactions: 4,
      income: '3500.00',
      expenses: '200.00',
      budgetSpent: '120.45',
      budgetRemaining: '279.55',
    };
    let operatingId = '';
    const wrote = await report.run('accounts, transactions and a budget written', async () => {
      const operating = await created(lb, token, '/financial/accounts', {
        name: 'Operating',
        account_type: 'checking',
        currency: 'USD',
      });
      const reserve = await created(lb, token, '/financial/accounts', {
        name: 'Reserve',
        account_type: 'savings',
        currency: 'USD',
      });
      operatingId = operating.id;
      const tx = (account: string, type: string, amount: string, category: string) =>
        created(
          lb,
          token,
          '/financial/transactions',
          {
            account_id: account,
            amount,
            currency: 'USD',
            transaction_type: type,
            category,
            description: `e2e ${category}`,
            occurred_at: occurredAt,
          },
          randomUUID(),
        );
      await tx(operating.id, 'income', '2500.00', 'salary');
      await tx(operating.id, 'expense', '120.45', 'groceries');
      await tx(operating.id, 'expense', '79.55', 'utilities');
      await tx(reserve.id, 'income', '1000.00', 'interest');
      await created(lb, token, '/financial/budgets', {
        name: 'Groceries',
        category: 'groceries',
        currency: 'USD',
        total_amount: '400.00',
        start_date: day(-1),
        end_date: day(30),
      });
      return [true, '2 accounts (201), 4 transactions with Idempotency-Key (201), 1 budget (201)'];
    });

    if (wrote) {
      report.step('the dashboard shows exactly those numbers, from every instance');
      await checkDashboards(report, stack, 'dashboard after the first writes', token, expected, 6);

      report.step('a second write is visible at once on every instance (cache invalidated across instances)');
      await created(
        lb,
        token,
        '/financial/transactions',
        {
          account_id: operatingId,
          amount: '50.00',
          currency: 'USD',
          transaction_type: 'expense',
          category: 'groceries',
          occurred_at: occurredAt,
        },
        randomUUID(),
      );
      const after: Expected = {
        ...expected,
        balances: { Operating: '2250.00', Reserve: '1000.00' },
        totalBalance: '3250.00',
        transactions: 5,
        expenses: '250.00',
        budgetSpent: '170.45',
        budgetRemaining: '229.55',
      };
      await checkDashboards(report, stack, 'dashboard right after a second write (no wait)', token, after, 3);
    }

    report.step('the audit messages for those writes are in RabbitMQ');
    await report.run('audit events delivered to RabbitMQ', async () => {
      if (!tapReady)
        return [
          false,
          'no audit consumer (exchange findash.audit never appeared: is the outbox publisher running?)',
        ];
      const sql = createKnex({ url: stack.state.postgres.ownerUrl, poolMax: 1 });
      try {
        const events = await asPlatform(sql, (trx) =>
          trx('audit_events as e')
            .join('tenants as t', 't.id', 'e.tenant_id')
            .where('t.name', TENANT)
            .where('e.occurred_at', '>=', boundAt.toISOString())
            .select<Array<{ id: string; action: string }>>('e.id', 'e.action'),
        );
        const ids = events.map((e) => e.id);
        const { missing, ms } = await tap.waitFor(ids, 30_000);
        const wrongKeys = events.filter((e) => {
          const m = tap.messages.get(e.id);
          return m && m.routingKey !== `audit.organization.${e.action}`;
        });
        const actions = [...new Set(events.map((e) => e.action))]
          .map((a) => `${a}×${events.filter((e) => e.action === a).length}`)
          .join(', ');
        const ok = events.length >= 8 && missing.length === 0 && wrongKeys.length === 0;
        return [
          ok,
          `${events.length - missing.length}/${events.length} audit events of ${TENANT} written after the queue was bound received in ${ms} ms (${actions}), routing keys audit.organization.<action>` +
            (missing.length ? `; missing ${missing.length}` : '') +
            (wrongKeys.length ? `; wrong routing key on ${wrongKeys.length}` : '') +
            (events.length < 8 ? `; expected at least 8 events, the database has ${events.length}` : ''),
        ];
      } finally {
        await sql.destroy();
      }
    });
  } finally {
    await tap.close();
  }

  report.step(`suspend Tenant ${TENANT} -> 403, delete it -> its token stops working`);
  await report.run('suspended Tenant: 403 through nginx and on every instance', async () => {
    const started = Date.now();
    await stack.kubectl(['patch', 'tenant', TENANT, '--type=merge', '-p', '{"spec":{"suspended":true}}']);
    await stack.kubectl([
      'wait',
      '--for=jsonpath={.status.phase}=Suspended',
      '--timeout=30s',
      `tenant/${TENANT}`,
    ]);
    const { ms } = await eventually(
      '403 through the load balancer',
      async () => ((await stack.lb.get('/financial/dashboard', token)).status === 403 ? true : undefined),
      15_000,
    );
    // Each instance trusts a resolved token for up to 2 s; all must refuse within that.
    const statuses = await everyInstance(stack, token, (s) => s === 403, 5_000);
    const lbStatuses = await Promise.all(
      [1, 2, 3].map(async () => (await stack.lb.get('/financial/dashboard', token)).status),
    );
    const ok = statuses.every((s) => s.status === 403) && lbStatuses.every((s) => s === 403);
    return [
      ok,
      `403 through nginx ${ms} ms after the phase turned Suspended (${Date.now() - started} ms after kubectl patch); ${statuses.map((s) => `${s.name} ${s.status}`).join(', ')}; nginx ×3: ${lbStatuses.join(' ')}`,
    ];
  });

  await report.run('deleted Tenant: its token is refused (401) everywhere', async () => {
    const started = Date.now();
    await stack.kubectl(['delete', 'tenant', TENANT, '--wait=true', '--timeout=60s']);
    const deletedMs = Date.now() - started;
    const statuses = await everyInstance(stack, token, (s) => s === 401, 10_000);
    const lbStatus = (await stack.lb.get('/financial/dashboard', token)).status;
    const ns = await stack.kubectl([
      'get',
      'namespace',
      `tenant-${TENANT}`,
      '--ignore-not-found',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    const ok = statuses.every((s) => s.status === 401) && lbStatus === 401;
    return [
      ok,
      `kubectl delete finished in ${deletedMs} ms; then ${statuses.map((s) => `${s.name} ${s.status}`).join(', ')}, nginx ${lbStatus}; namespace tenant-${TENANT}: ${ns || 'gone'}`,
    ];
  });
}

/** Polls every instance directly until `accept(status)` holds on all of them (or time is up). */
async function everyInstance(
  stack: StackHandle,
  token: string,
  accept: (status: number) => boolean,
  timeoutMs: number,
): Promise<Array<{ name: string; status: number }>> {
  const deadline = Date.now() + timeoutMs;
  const clients = stack.instanceClients();
  try {
    for (;;) {
      const statuses = await Promise.all(
        clients.map(async ({ name, client }) => ({
          name,
          status: (await client.get('/financial/dashboard', token)).status,
        })),
      );
      if (statuses.every((s) => accept(s.status)) || Date.now() > deadline) return statuses;
      await sleep(200);
    }
  } finally {
    for (const c of clients) c.client.close();
  }
}
