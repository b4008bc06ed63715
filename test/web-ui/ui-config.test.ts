import { describe, expect, it } from '@jest/globals';

import { loadConfig } from '../../app/config.js';
import { uiConfig, uiContentSecurityPolicy } from '../../app/web-ui/ui-config.js';

const config = loadConfig({ FINDASH_ENV: 'testing' });

describe("the web UI page's config and CSP", () => {
  it('names the OIDC client and allows the issuer in connect-src when JWT_* and OIDC_CLIENT_ID are set', () => {
    const page = uiConfig({
      ...config,
      JWT_JWKS_URL: 'https://id.example.test/jwks',
      JWT_ISSUER: 'https://id.example.test/realms/acme',
      JWT_AUDIENCE: 'findash-api',
      OIDC_CLIENT_ID: 'findash-ui',
      OIDC_SCOPE: 'openid profile',
    });
    expect(page.oidc).toEqual({
      issuer: 'https://id.example.test/realms/acme',
      client_id: 'findash-ui',
      scope: 'openid profile',
      audience: 'findash-api',
    });
    expect(uiContentSecurityPolicy(page)).toContain("connect-src 'self' https://id.example.test;");
    expect(uiConfig({ ...config, OIDC_CLIENT_ID: 'findash-ui' }).oidc).toBeNull();
  });
});
