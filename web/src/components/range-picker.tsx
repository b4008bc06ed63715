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
  // Which preset was chosen (two presets can name the same dates, e.g. year to date in December).
  const [presetId, setPresetId] = useState<string | null>(range ? null : 'all');
  const [from, setFrom] = useState(range?.from ?? '');
  const [to, setTo] = useState(range?.to ?? '');
  useEffect(() => {
    setFrom(range?.from ?? '');
    setTo(range?.to ?? '');
  }, [range]);
  const now = today(timeZone);
  const chosen = presetId;
  return (
    <form
      class="range"
      aria-label="Date range"
      onSubmit={(event) => {
        event.preventDefault();
        setPresetId(from || to ? null : 'all');
        onChange(from || to ? { from, to } : null);
      }}
    >
      <fieldset class="presets">
        <legend>Range</legend>
        {PRESETS.map((preset) => {
          const r = preset.range(now);
          const active = chosen === preset.id;
          return (
            <button
              key={preset.id}
              type="button"
              class={active ? 'chip active' : 'chip'}
              aria-pressed={active}
              onClick={() => {
                setPresetId(preset.id);
                onChange(r);
              }}
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
