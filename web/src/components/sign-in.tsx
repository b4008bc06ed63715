import { useState } from 'preact/hooks';

import { beginOidc, type UiConfig } from '../auth.js';

/** Paste an API token, or sign in with the organisation's identity provider when one is configured. */
export function SignIn({
  config,
  error,
  onToken,
}: {
  config: UiConfig;
  error: string | null;
  onToken: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  const [oidcError, setOidcError] = useState<string | null>(null);
  const oidc = config.oidc;
  return (
    <main id="main" class="sign-in">
      <h1>
        <span class="logo" aria-hidden="true">
          ◆
        </span>{' '}
        findash
      </h1>
      <p>Your organisation's balances, spending and budgets.</p>
      {error && (
        <p class="alert" role="alert" data-testid="sign-in-error">
          {error}
        </p>
      )}
      <form
        class="card"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <h2>Sign in with an API token</h2>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          aria-describedby="token-help"
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <p id="token-help" class="help">
          Kept in this tab only (session storage) and sent to the API as a bearer token. Under{' '}
          <code>npm start</code>, the demo token is in <code>.findash/demo-token</code>.
        </p>
        <button type="submit">Sign in</button>
      </form>
      {oidc && (
        <div class="card">
          <h2>Sign in with your identity provider</h2>
          {oidcError && (
            <p class="alert" role="alert">
              {oidcError}
            </p>
          )}
          <button
            type="button"
            onClick={() => {
              beginOidc(oidc).catch((e: unknown) => setOidcError(e instanceof Error ? e.message : String(e)));
            }}
          >
            Continue with {hostOf(oidc.issuer)}
          </button>
        </div>
      )}
    </main>
  );
}

function hostOf(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}
