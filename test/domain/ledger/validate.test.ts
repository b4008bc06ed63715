import { describe, expect, it } from '@jest/globals';

import { decodeCursor, encodeCursor } from '../../../app/domain/paging/cursor.js';
import {
  checkAmount,
  checkCurrency,
  checkDate,
  checkLimit,
  checkText,
  checkTimestamp,
} from '../../../app/domain/ledger/validate.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

describe('ledger field checks', () => {
  it('accepts ISO 8601 timestamps with an offset and refuses the rest, naming the field', () => {
    for (const ok of [
      '2026-11-25T12:00Z',
      '2026-11-25T12:00:00+05:30',
      '2026-02-28T23:59:59.999-08:00',
      '2024-02-29T00:00:00Z',
    ]) {
      expect(checkTimestamp('occurred_at', ok, NOW)).toBe(ok);
    }
    const bad: Array<[string, RegExp]> = [
      ['2026-11-25', /ISO 8601/],
      ['2026-11-25T12:00:00', /ISO 8601/],
      ['2026-11-25 12:00:00Z', /ISO 8601/],
      ['2026-11-25T12:00:00.1234Z', /ISO 8601/],
      ['2025-02-29T00:00:00Z', /not a valid/],
      ['2026-04-31T00:00:00Z', /not a valid/],
      ['2026-11-25T24:00:00Z', /not a valid/],
      ['2026-11-25T12:60:00Z', /not a valid/],
      ['2026-11-25T12:00:00+19:00', /not a valid/],
      ['1899-12-31T23:59:59Z', /before 1900/],
      ['2027-11-27T00:00:00Z', /year in the future/],
      ['+275760-09-13T00:00:00Z', /ISO 8601/],
    ];
    for (const [value, message] of bad) {
      expect(() => checkTimestamp('occurred_at', value, NOW)).toThrow(message);
    }
    expect(() => checkTimestamp('occurred_at', 'x', NOW)).toThrow(
      expect.objectContaining({ details: { field: 'occurred_at' } }),
    );
  });

  it('checks amounts by currency exponent', () => {
    expect(checkAmount('amount', '10.5', 'USD')).toBe('10.5');
    expect(checkAmount('amount', '100', 'JPY')).toBe('100');
    expect(checkAmount('amount', '0.001', 'KWD')).toBe('0.001');
    expect(() => checkAmount('amount', '1.5', 'JPY')).toThrow(/more than 0 decimal places for JPY/);
    expect(() => checkAmount('amount', '0.0001', 'KWD')).toThrow(/more than 3/);
    expect(() => checkAmount('amount', '1000000000000000', 'USD')).toThrow(/15 integer digits/);
    expect(() => checkAmount('amount', '-1', 'USD')).toThrow(/positive/);
    expect(() => checkAmount('amount', 'NaN', 'USD')).toThrow(/positive/);
    expect(() => checkAmount('amount', '0', 'USD')).toThrow(/greater than zero/);
  });

  it('checks currencies, dates, text and page sizes', () => {
    expect(checkCurrency('currency', 'CHF')).toBe('CHF');
    expect(() => checkCurrency('currency', 'XXX')).toThrow(/ISO 4217/);
    expect(checkDate('start_date', '2024-02-29')).toBe('2024-02-29');
    expect(() => checkDate('start_date', '2023-02-29')).toThrow(/valid calendar date/);
    expect(() => checkDate('start_date', '1899-12-31')).toThrow(/between 1900 and 2200/);
    expect(checkText('name', '日本語の口座', 1, 6)).toBe('日本語の口座');
    expect(() => checkText('name', '', 1, 10)).toThrow(/between 1 and 10/);
    expect(() => checkText('name', 'a\u0000b', 1, 10)).toThrow(/NUL/);
    expect(checkLimit(undefined)).toBe(50);
    expect(checkLimit(200)).toBe(200);
    expect(() => checkLimit(0)).toThrow(/between 1 and 200/);
    expect(() => checkLimit(1.5)).toThrow(/between 1 and 200/);
  });

  it('round-trips cursors and refuses forged or foreign ones', () => {
    // 2026-11-25T12:00:00.123456Z in microseconds since 1970.
    const position = { at: '1795608000123456', id: '0b6f3c9e-6a38-4d6e-9a53-3f1d1f7c2a10' };
    expect(decodeCursor('transactions', encodeCursor('transactions', position))).toEqual(position);
    expect(decodeCursor('transactions', undefined)).toBeUndefined();
    for (const forged of [
      'not a cursor !!',
      encodeCursor('accounts', position),
      'transactions.now.x',
      `transactions.${position.at}.1; drop table x`,
      `transactions.1e9.${position.id}`,
      `transactions.12345678901234567.${position.id}`,
      `transactions.${position.at}.${position.id.toUpperCase()}`,
    ]) {
      expect(() => decodeCursor('transactions', forged)).toThrow(
        expect.objectContaining({ statusCode: 400, details: { field: 'cursor' } }),
      );
    }
  });
});
