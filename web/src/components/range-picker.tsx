import { useEffect, useState } from 'preact/hooks';

import { PRESETS, today, type DateRange } from '../dates.js';

/**
 * The dashboard's range: `from`/`to` are tenant-local calendar dates, inclusive, either end open.
 * Presets set both; the date inputs apply on "Apply" (or Enter), so typing a date does not
 * refetch on every keystroke.
 */
export function RangePicker({
  timeZone,
  range,
  onChange,
  busy,
}: {
  timeZone: string;
  range: DateRange | null;
  onChange: (range: DateRange | null) => void;
  busy: boolean;
}) {
  const [from, setFrom] = useState(range?.from ?? '');
  const [to, setTo] = useState(range?.to ?? '');
  useEffect(() => {
    setFrom(range?.from ?? '');
    setTo(range?.to ?? '');
  }, [range]);
  const now = today(timeZone);
  return (
    <form
      class="range"
      aria-label="Date range"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(from || to ? { from, to } : null);
      }}
    >
      <fieldset class="presets">
        <legend>Range</legend>
        {PRESETS.map((preset) => {
          const r = preset.range(now);
          const active = r ? range?.from === r.from && range.to === r.to : range === null;
          return (
            <button
              key={preset.id}
              type="button"
              class={active ? 'chip active' : 'chip'}
              aria-pressed={active}
              onClick={() => onChange(r)}
            >
              {preset.label}
            </button>
          );
        })}
      </fieldset>
      <div class="dates">
        <label>
          From
          <input
            type="date"
            name="from"
            value={from}
            max={to || undefined}
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </label>
        <label>
          To
          <input
            type="date"
            name="to"
            value={to}
            min={from || undefined}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="secondary">
          Apply
        </button>
        <span class="status" role="status" aria-live="polite">
          {busy
            ? 'Updating…'
            : range
              ? `Showing ${range.from || '…'} to ${range.to || '…'} (${timeZone})`
              : 'Showing all time'}
        </span>
      </div>
    </form>
  );
}
