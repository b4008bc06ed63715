export const WINDOW_MS = 60_000;

interface Window {
  start: number;
  current: number;
  previous: number;
}

/**
 * Sliding-window counter per key (the usual approximation of a sliding log): the count of the
 * previous minute, weighted by how much of it still overlaps the last 60 s, plus this minute's.
 * O(1) memory per tenant, and no burst of 2× the limit at a window boundary.
 */
export class SlidingWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a request; returns 0 if allowed, else the seconds to wait before retrying. */
  take(key: string, limitPerMinute: number): number {
    const now = this.now();
    const windowStart = now - (now % WINDOW_MS);
    let w = this.windows.get(key);
    if (!w) {
      w = { start: windowStart, current: 0, previous: 0 };
      this.windows.set(key, w);
    } else if (w.start !== windowStart) {
      w.previous = windowStart - w.start === WINDOW_MS ? w.current : 0;
      w.current = 0;
      w.start = windowStart;
    }
    const overlap = 1 - (now - windowStart) / WINDOW_MS;
    const estimate = w.previous * overlap + w.current;
    if (estimate + 1 <= limitPerMinute) {
      w.current += 1;
      return 0;
    }
    return retryAfterSeconds(w, now, limitPerMinute);
  }

  /** Forgets tenants idle for two windows, so the map holds only active tenants. */
  prune(): void {
    const cutoff = this.now() - 2 * WINDOW_MS;
    for (const [key, w] of this.windows) if (w.start < cutoff) this.windows.delete(key);
  }
}

function retryAfterSeconds(w: Window, now: number, limit: number): number {
  const elapsed = now - w.start;
  // Within this window the estimate falls as the previous window's weight decays.
  if (w.previous > 0 && w.current + 1 <= limit) {
    const weightNeeded = (limit - 1 - w.current) / w.previous;
    const at = (1 - weightNeeded) * WINDOW_MS;
    return Math.max(1, Math.ceil((at - elapsed) / 1000));
  }
  // Otherwise wait for the next window, where this window's count decays in turn.
  const next = WINDOW_MS - elapsed;
  const weightNeeded = Math.max(0, (limit - 1) / Math.max(w.current, 1));
  return Math.max(1, Math.ceil((next + (1 - Math.min(1, weightNeeded)) * WINDOW_MS) / 1000));
}
