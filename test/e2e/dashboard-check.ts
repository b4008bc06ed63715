/**
 * The dashboard check of the tenant lifecycle: the figures the writes must produce, read through
 * nginx and from each API instance directly, compared field by field, and which instance served
 * each read through the load balancer.
 */
import { eventually } from './http-client.js';
import type { Report } from './report.js';
import type { StackHandle } from './stack-handle.js';

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

export interface Expected {
  /** The Tenant whose dashboard it is (tenant_info.name). */
  tenant: string;
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
  eq('tenant', d.tenant_info?.name, e.tenant);
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

/** One check: every read (through nginx `rounds` times, and each instance once) shows `expected`, and every instance served one. */
export async function checkDashboards(
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
