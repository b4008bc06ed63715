import { describe, expect, it } from '@jest/globals';

import { LookupCache } from '../../app/cache/lookup-cache.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A lookup whose answers the test releases one at a time, counting the calls. */
function gatedLookup<V>(): {
  lookup: (key: string) => Promise<V>;
  calls: string[];
  answer: (value: V | Error) => void;
} {
  const calls: string[] = [];
  const waiting: ((value: V | Error) => void)[] = [];
  return {
    calls,
    lookup: (key) => {
      calls.push(key);
      return new Promise<V>((resolve, reject) => {
        waiting.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
      });
    },
    answer: (value) => waiting.shift()?.(value),
  };
}

/** A cache (ttl 1 s) holding 'v1' for 'token', looked up just over half a ttl ago. */
async function dueForRefresh(): Promise<{
  gate: ReturnType<typeof gatedLookup<string>>;
  cache: LookupCache<string>;
}> {
  const gate = gatedLookup<string>();
  const cache = new LookupCache(1000, gate.lookup);
  const first = cache.load('token');
  gate.answer('v1');
  await first;
  await sleep(520);
  return { gate, cache };
}

describe('LookupCache (credential lookups)', () => {
  it('sends one lookup for callers that arrive while it is in flight, then serves it from memory', async () => {
    const gate = gatedLookup<string>();
    const cache = new LookupCache(60_000, gate.lookup);
    expect(cache.get('token')).toBeUndefined();
    const callers = Array.from({ length: 50 }, () => cache.load('token'));
    expect(gate.calls).toEqual(['token']);
    gate.answer('principal');
    await expect(Promise.all(callers)).resolves.toEqual(Array(50).fill('principal'));
    expect(cache.get('token')).toBe('principal');
    expect(gate.calls).toHaveLength(1);
  });

  it('keeps serving an entry past half its ttl while one refresh runs, then serves the refreshed value', async () => {
    const { gate, cache } = await dueForRefresh();
    // Due for a refresh: the old value is answered at once, and one refresh is sent.
    expect(cache.get('token')).toBe('v1');
    expect(cache.get('token')).toBe('v1');
    expect(gate.calls).toHaveLength(2);
    gate.answer('v2');
    await sleep(0);
    expect(cache.get('token')).toBe('v2');
    // The refreshed entry lives a whole ttl from its refresh, past the first one's expiry.
    await sleep(500);
    expect(cache.get('token')).toBe('v2');
  });

  it('never serves an entry past its ttl, even while its refresh is stuck', async () => {
    const { gate, cache } = await dueForRefresh();
    expect(cache.get('token')).toBe('v1'); // starts a refresh that does not answer
    await sleep(500);
    expect(cache.get('token')).toBeUndefined();
    // Callers then wait for the refresh already in flight rather than sending another lookup.
    const waiting = cache.load('token');
    expect(gate.calls).toHaveLength(2);
    gate.answer('v2');
    await expect(waiting).resolves.toBe('v2');
  });

  it('gives a failed lookup to every caller that shared it, and caches nothing', async () => {
    const gate = gatedLookup<string>();
    const cache = new LookupCache(60_000, gate.lookup);
    const callers = [cache.load('token'), cache.load('token')];
    gate.answer(new Error('database unavailable'));
    for (const caller of callers) await expect(caller).rejects.toThrow('database unavailable');
    expect(cache.get('token')).toBeUndefined();
    const retry = cache.load('token');
    expect(gate.calls).toHaveLength(2);
    gate.answer('principal');
    await expect(retry).resolves.toBe('principal');
  });

  it('keeps the entry until its ttl when a refresh fails', async () => {
    const { gate, cache } = await dueForRefresh();
    expect(cache.get('token')).toBe('v1');
    gate.answer(new Error('database unavailable'));
    await sleep(0);
    expect(cache.get('token')).toBe('v1');
    expect(gate.calls).toHaveLength(3); // the failure freed the way for the next refresh
  });

  it('with a ttl of 0 caches and shares nothing: every caller looks up', async () => {
    let calls = 0;
    const cache = new LookupCache(0, () => Promise.resolve(`answer ${(calls += 1)}`));
    await expect(Promise.all([cache.load('token'), cache.load('token')])).resolves.toEqual([
      'answer 1',
      'answer 2',
    ]);
    expect(cache.get('token')).toBeUndefined();
  });

  it('caches a negative answer (an unknown token) like any other', async () => {
    let calls = 0;
    const cache = new LookupCache<string | false>(60_000, () => Promise.resolve(((calls += 1), false)));
    await cache.load('unknown');
    expect(cache.get('unknown')).toBe(false);
    expect(calls).toBe(1);
  });
});
