import { describe, expect, it } from '@jest/globals';

import { rollupSegments } from '../../../app/domain/dashboard/rollup-source.js';

describe('dashboard date ranges', () => {
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
