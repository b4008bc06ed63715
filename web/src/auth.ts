/**
 * Sign-in state. The credential (a pasted API token, or the access token of an OIDC sign-in)
 * lives in sessionStorage only: never in a URL, never in a cookie, gone when the tab closes.
 *
 * OIDC is the authorization code flow with PKCE (RFC 7636, S256) for a public client: the
 * verifier and state wait in sessionStorage while the browser visits the issuer, the code comes
 * back to /app/ and is exchanged at the issuer's token endpoint (found by OIDC discovery), and the
 * query string is removed from the address bar before anything else runs.
 */
const TOKEN_KEY = 'findash.token';
const PENDING_KEY = 'findash.oidc';

export interface OidcConfig {
  readonly issuer: string;
  readonly client_id: string;
  readonly scope: string;
  readonly audience: string;
}

export interface UiConfig {
  readonly oidc: OidcConfig | null;
}

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export async function loadUiConfig(): Promise<UiConfig> {
  try {
    const response = await fetch('/app/config.json', { credentials: 'omit' });
    if (response.ok) return (await response.json()) as UiConfig;
  } catch {
    // Offline or an old server: token sign-in still works.
  }
  return { oidc: null };
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { credentials: 'omit' });
  if (!response.ok)
    throw new Error(`the identity provider's discovery document failed (HTTP ${response.status})`);
  return (await response.json()) as Discovery;
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

function redirectUri(): string {
  return `${location.origin}/app/`;
}

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly tokenEndpoint: string;
}

/** Leaves for the issuer's sign-in page. */
export async function beginOidc(config: OidcConfig): Promise<void> {
  const discovery = await discover(config.issuer);
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const pending: Pending = { state, verifier, tokenEndpoint: discovery.token_endpoint };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    audience: config.audience,
  }).toString();
  location.assign(url.toString());
}

/**
 * On the way back from the issuer (/app/?code=…&state=…): exchanges the code and stores the
 * access token. Returns false when this page load is not such a return.
 */
export async function completeOidc(config: OidcConfig | null): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return false;
  history.replaceState(null, '', location.pathname + location.hash);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (error)
    throw new Error(`the identity provider refused the sign-in: ${params.get('error_description') ?? error}`);
  if (!config || !raw) throw new Error('this sign-in was not started here; start it again');
  const pending = JSON.parse(raw) as Pending;
  if (params.get('state') !== pending.state)
    throw new Error('the sign-in answer does not match the request; start again');
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    credentials: 'omit',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri(),
      client_id: config.client_id,
      code_verifier: pending.verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`the identity provider did not issue a token (HTTP ${response.status})`);
  const body = (await response.json()) as { access_token?: unknown };
  if (typeof body.access_token !== 'string') throw new Error('the identity provider sent no access token');
  storeToken(body.access_token);
  return true;
}
