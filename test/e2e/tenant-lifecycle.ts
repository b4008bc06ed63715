import { randomUUID } from 'node:crypto';

import { createKnex } from '../../app/db/knex.js';
import { asPlatform } from '../../app/db/tenant-scope.js';
import { applyTenants, readToken, waitTenantReady } from '../../tools/stack/tenants.js';
import { AuditTap } from './audit-tap.js';
import { checkDashboards, type Expected } from './dashboard-check.js';
import type { HttpClient } from './http-client.js';
import type { Report } from './report.js';
import type { StackHandle } from './stack-handle.js';
import { suspendAndDelete } from './tenant-offboarding.js';

/**
 * The life a platform engineer and an API client live through: a Tenant applied with kubectl
 * becomes Ready, its token (read from the Secret the operator wrote) writes accounts,
 * transactions and budgets through nginx over HTTPS, the dashboard shows exactly those numbers
 * from every instance, a second write is visible at once everywhere, the audit messages are in
 * RabbitMQ, suspending the Tenant forbids its token and deleting it revokes it.
 */
const TENANT = 'e2e-acme';
const CLIENT = 'ledger-writer';

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
      tenant: TENANT,
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

  await suspendAndDelete(report, stack, TENANT, token);
}
