import { describe, expect, it } from '@jest/globals';

import { parseDateRange, rangeKey } from '../../../app/domain/dashboard/date-range.js';
import { rollupSegments } from '../../../app/domain/dashboard/rollup-source.js';
import { ValidationError } from '../../../app/domain/errors.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('dashboard date ranges', () => {
  it('accepts open and closed ranges of real days', () => {
    expect(parseDateRange({})).toEqual({});
    expect(parseDateRange({ from: '2024-02-29' })).toEqual({ from: '2024-02-29' });
    expect(parseDateRange({ from: '2020-02-29', to: '2025-02-28' })).toEqual({
      from: '2020-02-29',
      to: '2025-02-28',
    });
    expect(rangeKey({ to: '2024-01-01' })).toBe(':2024-01-01');
  });

  it('names the field that is wrong', () => {
    expect(fieldOf(() => parseDateRange({ from: '2023-02-29' }))).toBe('from');
    expect(fieldOf(() => parseDateRange({ to: '2024-13-01' }))).toBe('to');
    expect(fieldOf(() => parseDateRange({ from: '2024-03-02', to: '2024-03-01' }))).toBe('from');
    expect(fieldOf(() => parseDateRange({ from: '2019-01-01', to: '2024-01-02' }))).toBe('to');
    expect(fieldOf(() => parseDateRange({ from: '2019-01-01', to: '2024-01-01' }))).toBeUndefined();
  });

  it('reads whole months from monthly rollups and only the edges from daily ones', () => {
    expect(rollupSegments({})).toEqual({ months: {}, days: [] });
    expect(rollupSegments({ from: '2024-01-15', to: '2024-03-10' })).toEqual({
      months: { from: '2024-02-01', toExclusive: '2024-03-01' },
      days: [
        { from: '2024-01-15', to: '2024-01-31' },
        { from: '2024-03-01', to: '2024-03-10' },
      ],
    });
    expect(rollupSegments({ from: '2024-01-01', to: '2024-02-29' })).toEqual({
      months: { from: '2024-01-01', toExclusive: '2024-03-01' },
      days: [],
    });
    expect(rollupSegments({ from: '2024-01-10', to: '2024-01-20' })).toEqual({
      days: [{ from: '2024-01-10', to: '2024-01-20' }],
    });
    expect(rollupSegments({ from: '2024-01-10', to: '2024-02-05' })).toEqual({
      days: [{ from: '2024-01-10', to: '2024-02-05' }],
    });
    expect(rollupSegments({ to: '2024-12-30' })).toEqual({
      months: { toExclusive: '2024-12-01' },
      days: [{ from: '2024-12-01', to: '2024-12-30' }],
    });
    expect(rollupSegments({ from: '2024-12-31' })).toEqual({
      months: { from: '2025-01-01' },
      days: [{ from: '2024-12-31', to: '2024-12-31' }],
    });
  });
});
