import type { FullDashboard } from '../../types.js';
import { Money } from '../money.js';

/** Balances per currency, and their total converted to the base currency (with the rates it used). */
export function Balances({ data }: { data: FullDashboard }) {
  const { total_balance: balances, total_balance_converted: converted } = data.financial_summary;
  return (
    <section class="card wide" aria-labelledby="balances-h" data-testid="balances">
      <h2 id="balances-h">Balances</h2>
      <div class="balances">
        {balances.map((b) => (
          <div class="balance" key={b.currency} data-testid={`balance-${b.currency}`}>
            <span class="label">{b.currency}</span>
            <Money amount={b.amount} currency={b.currency} />
          </div>
        ))}
        <div class="balance total" data-testid="converted-total">
          <span class="label">Total in {converted.currency}</span>
          <Money amount={converted.amount} currency={converted.currency} />
          {converted.complete ? (
            <span class="note">all currencies converted</span>
          ) : (
            <span class="note warn" data-testid="missing-rates">
              <span aria-hidden="true">⚠ </span>
              Not included (no exchange rate): {converted.missing_rates.join(', ')}
            </span>
          )}
        </div>
      </div>
      {Object.keys(converted.rates).length > 0 && (
        <p class="help" data-testid="rates">
          Rates used:{' '}
          {Object.entries(converted.rates)
            .map(([c, rate]) => `1 ${c} = ${rate} ${converted.currency}`)
            .join(' · ')}
        </p>
      )}
    </section>
  );
}
