import { describe, expect, it } from '@jest/globals';

import { ValidationError } from '../../app/domain/errors.js';
import {
  parseTimeRange,
  RANGE_DAY_PATTERN,
  RANGE_INSTANT_PATTERN,
  rangeKey,
} from '../../app/domain/time-range.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('parseTimeRange: the one from/to of every endpoint', () => {
  it('tells days from date-times and keeps the values as given', () => {
    expect(parseTimeRange({})).toEqual({});
    expect(parseTimeRange({ from: '2024-02-29' })).toEqual({ from: { kind: 'day', value: '2024-02-29' } });
    expect(parseTimeRange({ from: '2024-02-29', to: '2024-03-01T10:00:00.5+05:30' })).toEqual({
      from: { kind: 'day', value: '2024-02-29' },
      to: { kind: 'instant', value: '2024-03-01T10:00:00.5+05:30' },
    });
    // Years 0001-0099 are those years (Schemathesis ST202), and spans are not capped.
    expect(parseTimeRange({ from: '0034-01-03', to: '9999-12-31' })).toEqual({
      from: { kind: 'day', value: '0034-01-03' },
      to: { kind: 'day', value: '9999-12-31' },
    });
  });

  it('allows an empty range of instants, as the lists always did', () => {
    expect(fieldOf(() => parseTimeRange({ from: '2024-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' }))).toBe(
      undefined,
    );
    expect(fieldOf(() => parseTimeRange({ from: '2024-01-01', to: '2024-01-01' }))).toBe(undefined);
  });

  it('names the field that is wrong', () => {
    const cases: Array<[{ from?: string; to?: string }, string]> = [
      [{ from: '2023-02-29' }, 'from'],
      [{ to: '2024-13-01' }, 'to'],
      [{ from: '0000-01-01' }, 'from'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2024-01-01T12:00:00' }, 'to'],
      [{ to: '2024-01-01T12:00Z' }, 'to'],
      [{ to: '2024-01-01T24:00:00Z' }, 'to'],
      [{ to: '2024-01-01T12:00:00.1234Z' }, 'to'],
      [{ to: '2024-01-01T12:00:00+16:00' }, 'to'],
      [{ from: '2024-02-30T12:00:00Z' }, 'from'],
      [{ from: '2024-03-02', to: '2024-03-01' }, 'to'],
      [{ from: '2024-03-01T00:00:00Z', to: '2024-02-29T23:59:59.999Z' }, 'to'],
      [{ from: '2024-03-01T00:00:00Z', to: '2024-03-01T04:00:00+05:00' }, 'to'],
    ];
    for (const [input, field] of cases)
      expect([input, fieldOf(() => parseTimeRange(input))]).toEqual([input, field]);
  });

  it('has patterns that admit exactly the shapes the parser takes', () => {
    const day = new RegExp(RANGE_DAY_PATTERN);
    const instant = new RegExp(RANGE_INSTANT_PATTERN);
    for (const value of ['2024-02-29', '0034-01-03', '9999-12-31']) {
      expect([value, day.test(value), instant.test(value)]).toEqual([value, true, false]);
    }
    for (const value of [
      '2024-02-29T00:00:00Z',
      '2024-02-29T23:59:59.999-15:59',
      '2024-02-29T12:00:00.1+05:30',
    ]) {
      expect([value, day.test(value), instant.test(value)]).toEqual([value, false, true]);
      expect(fieldOf(() => parseTimeRange({ from: value }))).toBeUndefined();
    }
    for (const value of [
      '0000-01-01',
      '2024-13-01',
      '2024-02-29T12:00Z',
      '2024-02-29T12:00:00+16:00',
      '2024-02-29 12:00:00Z',
    ]) {
      expect([value, day.test(value), instant.test(value)]).toEqual([value, false, false]);
      expect(fieldOf(() => parseTimeRange({ from: value }))).toBe('from');
    }
  });

  it('keys the cache by the values, open ends empty', () => {
    expect(rangeKey(parseTimeRange({ to: '2024-01-01' }))).toBe(':2024-01-01');
    expect(rangeKey(parseTimeRange({ from: '2024-01-01T00:00:00Z' }))).toBe('2024-01-01T00:00:00Z:');
  });
});
