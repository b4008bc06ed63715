/**
 * A cached entry in the store: its expiry (epoch ms) on the first line, then the JSON (which
 * JSON.stringify never breaks across lines). Instances that read it keep their near copy no
 * longer than that. A value without it (written by an older version) reads as a miss.
 */
export function encodeEntry(expiresAt: number, json: string): string {
  return `${expiresAt}\n${json}`;
}

export function decodeEntry(value: string): { expiresAt: number; json: string } | null {
  const cut = value.indexOf('\n');
  const expiresAt = cut > 0 ? Number(value.slice(0, cut)) : NaN;
  return Number.isFinite(expiresAt) ? { expiresAt, json: value.slice(cut + 1) } : null;
}
