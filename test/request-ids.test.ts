import { describe, expect, it } from '@jest/globals';

import { clientRequestId, MAX_CLIENT_REQUEST_ID_LENGTH, requestIds } from '../app/request-ids.js';

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

describe('clientRequestId', () => {
  it('keeps a bounded, safe client id and refuses the rest', () => {
    expect(clientRequestId('3f1c2b7e-9d3a-4c1e-8f00-1a2b3c4d5e6f')).toBe(
      '3f1c2b7e-9d3a-4c1e-8f00-1a2b3c4d5e6f',
    );
    expect(clientRequestId('x'.repeat(MAX_CLIENT_REQUEST_ID_LENGTH))).toHaveLength(
      MAX_CLIENT_REQUEST_ID_LENGTH,
    );
    expect(clientRequestId('x'.repeat(MAX_CLIENT_REQUEST_ID_LENGTH + 1))).toBeUndefined();
    expect(clientRequestId('a'.repeat(5000))).toBeUndefined();
    expect(clientRequestId('')).toBeUndefined();
    expect(clientRequestId('two words')).toBeUndefined();
    expect(clientRequestId('line\nbreak')).toBeUndefined();
    expect(clientRequestId(['a', 'b'])).toBeUndefined();
    expect(clientRequestId(undefined)).toBeUndefined();
  });
});
