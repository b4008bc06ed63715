import { Type } from 'typebox';

import { RANGE_DAY_PATTERN, RANGE_INSTANT_PATTERN } from '../domain/time-range.js';

/**
 * The one schema of every `from`/`to` query parameter (transactions, audit log, dashboard): a
 * tenant-local day or a date-time with offset, as app/domain/time-range.ts parses them. Both
 * ends share it word for word, so clients and fuzzers see one rule wherever they meet it.
 */
export const RANGE_RULE =
  'from/to: a day YYYY-MM-DD in the tenant timezone (from = its first instant, to = the whole day included) ' +
  'or an RFC 3339 date-time with offset, at most milliseconds (from included, to excluded); ' +
  'either end may be open; to must not be before from';

export const RangeBound = Type.Union(
  [
    Type.String({ pattern: RANGE_DAY_PATTERN, format: 'date', examples: ['2026-04-01'] }),
    Type.String({ pattern: RANGE_INSTANT_PATTERN, format: 'date-time', examples: ['2026-04-01T09:30:00Z'] }),
  ],
  { description: RANGE_RULE },
);

/** Spread into a querystring object: `{ ...TimeRange, limit, … }`. */
export const TimeRange = {
  from: Type.Optional(RangeBound),
  to: Type.Optional(RangeBound),
};
