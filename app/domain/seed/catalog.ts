/**
 * What seeded money looks like: spending categories with how often they occur and a typical
 * amount in US dollars, merchants for descriptions, and rough dollar values of the currencies
 * the seed uses (for scaling amounts and for exchange rates).
 */
export interface CategorySpec {
  readonly name: string;
  /** Relative frequency among day-to-day expenses. */
  readonly weight: number;
  /** Typical amount in USD. */
  readonly usd: number;
  readonly merchants: readonly string[];
}

export const EXPENSE_CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'groceries',
    weight: 22,
    usd: 58,
    merchants: ['Green Basket Market', 'Corner Grocer', 'FreshCo', 'Daily Harvest'],
  },
  {
    name: 'dining',
    weight: 16,
    usd: 34,
    merchants: ['Luigi Trattoria', 'Noodle Bar', 'The Burger Joint', 'Sushi Zen'],
  },
  { name: 'coffee', weight: 12, usd: 5.5, merchants: ['Bean There', 'Morning Roast', 'Cafe Aroma'] },
  { name: 'transport', weight: 12, usd: 16, merchants: ['Metro Transit', 'CityCab', 'FuelStop'] },
  { name: 'shopping', weight: 9, usd: 72, merchants: ['MegaMart', 'Threads & Co', 'Gadget Hub'] },
  { name: 'entertainment', weight: 6, usd: 28, merchants: ['Cinema Paradiso', 'Concert Hall', 'Game Vault'] },
  { name: 'health', weight: 5, usd: 64, merchants: ['City Pharmacy', 'Wellness Clinic'] },
  { name: 'subscriptions', weight: 5, usd: 13, merchants: ['StreamFlix', 'CloudBox', 'NewsDaily'] },
  { name: 'utilities', weight: 4, usd: 95, merchants: ['PowerGrid Energy', 'AquaWorks', 'FiberNet'] },
  { name: 'travel', weight: 3, usd: 240, merchants: ['SkyHigh Airlines', 'Harbor Hotel', 'RailEuro'] },
  { name: 'education', weight: 2, usd: 120, merchants: ['Open Academy', 'Bookworm Books'] },
  { name: 'insurance', weight: 2, usd: 140, merchants: ['SafeHarbor Insurance'] },
  { name: 'gifts', weight: 2, usd: 45, merchants: ['Gift Corner', 'Flower Studio'] },
];

/** Approximate USD value of one unit of each currency the seed uses. */
export const USD_VALUE: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  JPY: 0.0067,
  KWD: 3.25,
  CHF: 1.13,
  INR: 0.012,
};

export const PRIMARY_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY'] as const;
export const SECONDARY_CURRENCIES = ['EUR', 'JPY', 'USD', 'KWD', 'GBP', 'CHF'] as const;

/** Zones both PostgreSQL and Node's ICU know by these names. */
export const TIMEZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Asia/Tokyo',
  'UTC',
  'America/Los_Angeles',
  'Australia/Sydney',
] as const;

export const PERSON_NAMES = [
  'Alex Morgan',
  'Sam Rivera',
  'Jordan Lee',
  'Priya Shah',
  'Kenji Sato',
  'Lena Fischer',
];
export const ORGANIZATION_NAMES = [
  'Acme Corp',
  'Globex',
  'Initech',
  'Umbrella Labs',
  'Stark Industries',
  'Wayne Ltd',
];
