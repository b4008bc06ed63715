import { describe, expect, it } from '@jest/globals';

import { ConfigError, loadConfig } from '../app/config.js';

describe('loadConfig HOST', () => {
  it('listens on loopback in development unless HOST says otherwise', () => {
    expect(loadConfig({ FINDASH_ENV: 'development' }).HOST).toBe('127.0.0.1');
    expect(loadConfig({ FINDASH_ENV: 'development', HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('listens on every interface in the other environments, as containers need', () => {
    expect(loadConfig({ FINDASH_ENV: 'production' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ FINDASH_ENV: 'testing' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({}).HOST).toBe('0.0.0.0');
    expect(loadConfig({ FINDASH_ENV: 'staging', HOST: '::' }).HOST).toBe('::');
  });

  it('still names a bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
  });
});
