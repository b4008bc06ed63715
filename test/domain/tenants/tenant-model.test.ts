import { describe, expect, it } from '@jest/globals';

import { isTimezone, validateTenantFields } from '../../../app/domain/tenants/tenant-model.js';

describe('tenant fields', () => {
  it('accepts IANA zones whatever their spelling, including aliases Node does not list', () => {
    for (const zone of [
      'UTC',
      'Asia/Kolkata',
      'Asia/Calcutta',
      'America/Los_Angeles',
      'America/Argentina/Buenos_Aires',
      'Etc/GMT+5',
    ]) {
      expect({ zone, ok: isTimezone(zone) }).toEqual({ zone, ok: true });
    }
  });

  it('refuses made-up zones and SQL-looking text, naming the field', () => {
    for (const zone of ['Mars/Olympus', 'UTC; drop table tenants', '', '../etc/passwd']) {
      expect(isTimezone(zone)).toBe(false);
    }
    expect(() => validateTenantFields({ timezone: 'Mars/Olympus' })).toThrow(
      /timezone "Mars\/Olympus" is not an IANA time zone/,
    );
    expect(() => validateTenantFields({ base_currency: 'XYZ' })).toThrow(/base_currency/);
  });
});
