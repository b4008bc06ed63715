import { describe, expect, it } from '@jest/globals';

import { SlidingWindowLimiter } from '../../app/http/sliding-window-limiter.js';

describe('sliding-window limiter', () => {
  it('allows the limit per minute, refuses the next with the wait until one is allowed', () => {
    let now = 60_000 * 1000; // start of a window
    const limiter = new SlidingWindowLimiter(() => now);
    for (let i = 0; i < 10; i += 1) expect(limiter.take('t', 10)).toBe(0);
    const wait = limiter.take('t', 10);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120);
    // Just before the announced time it is still refused; at it, it is allowed.
    now += (wait - 1) * 1000;
    expect(limiter.take('t', 10)).toBeGreaterThan(0);
    now += 1000;
    expect(limiter.take('t', 10)).toBe(0);
  });

  it('does not allow a burst of twice the limit across a window boundary', () => {
    let now = 60_000 * 2000 + 59_000; // one second before a window ends
    const limiter = new SlidingWindowLimiter(() => now);
    let allowed = 0;
    for (let i = 0; i < 10; i += 1) if (limiter.take('t', 10) === 0) allowed += 1;
    now += 2000; // one second into the next window
    for (let i = 0; i < 10; i += 1) if (limiter.take('t', 10) === 0) allowed += 1;
    expect(allowed).toBeLessThanOrEqual(11);
  });

  it('keeps tenants apart', () => {
    const limiter = new SlidingWindowLimiter(() => 1_000_000);
    expect(limiter.take('a', 1)).toBe(0);
    expect(limiter.take('a', 1)).toBeGreaterThan(0);
    expect(limiter.take('b', 1)).toBe(0);
  });
});
