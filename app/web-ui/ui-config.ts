import type { AppConfig } from '../config.js';

/** What the page needs to know before it signs in (no secret: the OIDC client is public). */
export interface UiConfig {
  readonly oidc: { issuer: string; client_id: string; scope: string; audience: string } | null;
}

export function uiConfig(config: AppConfig): UiConfig {
  const enabled = Boolean((config.JWT_JWKS_URL ?? config.JWT_JWKS) && config.OIDC_CLIENT_ID);
  return {
    oidc:
      enabled && config.JWT_ISSUER && config.OIDC_CLIENT_ID && config.JWT_AUDIENCE
        ? {
            issuer: config.JWT_ISSUER,
            client_id: config.OIDC_CLIENT_ID,
            scope: config.OIDC_SCOPE,
            audience: config.JWT_AUDIENCE,
          }
        : null,
  };
}

/** The page's CSP: its own origin only, plus the identity provider for OIDC's token request. */
export function uiContentSecurityPolicy(config: UiConfig): string {
  const connect = ["'self'"];
  if (config.oidc) {
    try {
      connect.push(new URL(config.oidc.issuer).origin);
    } catch {
      // An issuer that is not a URL cannot be used for OIDC discovery; the page says so.
    }
  }
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join(';');
}
