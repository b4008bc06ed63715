import { describe, expect, it } from '@jest/globals';

import { requestIds } from '../../app/request-ids.js';

describe('requestIds', () => {
  it('hands out distinct ids, and another app instance never repeats them', () => {
    const first = requestIds();
    const second = requestIds();
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) {
      ids.add(first());
      ids.add(second());
    }
    expect(ids.size).toBe(20_000);
    expect(first()).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
  });
});
