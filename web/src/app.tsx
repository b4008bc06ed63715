import { useCallback, useEffect, useState } from 'preact/hooks';

import { ApiError, request, withQuery } from './api.js';
import { completeOidc, forgetToken, loadUiConfig, storedToken, storeToken, type UiConfig } from './auth.js';
import { Dashboard } from './components/dashboard.js';
import { Manage } from './components/manage.js';
import { RangePicker } from './components/range-picker.js';
import { SignIn } from './components/sign-in.js';
import { Transactions } from './components/transactions.js';
import type { DateRange } from './dates.js';
import type { FullDashboard, Me } from './types.js';

type View = 'dashboard' | 'transactions' | 'manage';

function viewFromHash(): View {
  const hash = location.hash.replace(/^#\/?/, '');
  return hash === 'transactions' || hash === 'manage' ? hash : 'dashboard';
}

/** What a refused credential means to the person holding it. */
export function explainRefusal(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return `This token was not accepted: ${error.message}.`;
    if (error.status === 403 && /suspended/i.test(error.message)) {
      return `Your organisation's access is suspended: ${error.message}.`;
    }
    if (error.status === 429) return 'Too many requests for this tenant right now; wait a moment and reload.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The dashboard requested while the identity is being checked (the first render's critical path). */
let prefetched: { token: string; promise: Promise<FullDashboard> } | null = null;

function prefetchDashboard(token: string): void {
  const promise = request<FullDashboard>(token, '/financial/dashboard');
  promise.catch(() => undefined); // a refusal is reported by /financial/me, or again by the real request
  prefetched = { token, promise };
}

function takePrefetched(token: string): Promise<FullDashboard> | null {
  const promise = prefetched?.token === token ? prefetched.promise : null;
  prefetched = null;
  return promise;
}

interface Session {
  readonly token: string;
  readonly me: Me;
}

export function App() {
  const [config, setConfig] = useState<UiConfig>({ oidc: null });
  const [session, setSession] = useState<Session | null>(null);
  const [booting, setBooting] = useState(true);
  const [signInError, setSignInError] = useState<string | null>(null);

  const signIn = useCallback(async (token: string): Promise<void> => {
    try {
      const me = await request<Me>(token, '/financial/me');
      storeToken(token);
      setSignInError(null);
      setSession({ token, me });
    } catch (error) {
      forgetToken();
      setSession(null);
      setSignInError(explainRefusal(error));
    }
  }, []);

  useEffect(() => {
    void (async () => {
      // Nothing waits for what it does not need: config, identity and the dashboard load at once.
      const loading = loadUiConfig();
      if (/[?&](code|error)=/.test(location.search)) {
        const loaded = await loading;
        try {
          await completeOidc(loaded.oidc);
        } catch (error) {
          setSignInError(error instanceof Error ? error.message : String(error));
        }
      }
      const token = storedToken();
      if (token) prefetchDashboard(token);
      const [loaded] = await Promise.all([loading, token ? signIn(token) : null]);
      setConfig(loaded);
      setBooting(false);
    })();
  }, [signIn]);

  const signOut = useCallback(() => {
    forgetToken();
    setSession(null);
    setSignInError(null);
  }, []);

  const refused = useCallback((message: string) => {
    forgetToken();
    setSession(null);
    setSignInError(message);
  }, []);

  if (booting) return <p class="boot">Loading findash…</p>;
  if (!session) return <SignIn config={config} error={signInError} onToken={(t) => void signIn(t)} />;
  return <SignedIn session={session} onSignOut={signOut} onRefused={refused} />;
}

function SignedIn({
  session,
  onSignOut,
  onRefused,
}: {
  session: Session;
  onSignOut: () => void;
  onRefused: (message: string) => void;
}) {
  const { token, me } = session;
  const [view, setView] = useState<View>(viewFromHash);
  const [range, setRange] = useState<DateRange | null>(null);
  const [dashboard, setDashboard] = useState<FullDashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [version, setVersion] = useState(0);

  const canReadTransactions = me.permissions.includes('transactions:read');
  const canWrite = me.permissions.includes('ledger:write');

  useEffect(() => {
    const onHash = () => setView(viewFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const first = range === null && version === 0 ? takePrefetched(token) : null;
    (
      first ??
      request<FullDashboard>(token, withQuery('/financial/dashboard', { from: range?.from, to: range?.to }))
    )
      .then((data) => {
        if (!current) return;
        setDashboard(data);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!current) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) onRefused(explainRefusal(e));
        else setError(explainRefusal(e));
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [token, range, version, onRefused]);

  const tenant = dashboard?.tenant_info;
  const visible: View =
    (view === 'transactions' && !canReadTransactions) || (view === 'manage' && !canWrite)
      ? 'dashboard'
      : view;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          <div>
            <h1 data-testid="tenant-name">{tenant?.display_name ?? me.tenant.name}</h1>
            <p class="meta">
              <span data-testid="tenant-id">{me.tenant.name}</span> · <span>{me.tenant.type}</span>
              {tenant && (
                <>
                  {' '}
                  · timezone <span data-testid="tenant-timezone">{tenant.timezone}</span> · base currency{' '}
                  <span data-testid="tenant-currency">{tenant.base_currency}</span>
                </>
              )}
            </p>
          </div>
        </div>
        <div class="who">
          <span class={`role role-${me.role}`} data-testid="role">
            {me.role}
          </span>
          <button type="button" class="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="tabs" aria-label="Views">
        <a href="#/" aria-current={visible === 'dashboard' ? 'page' : undefined}>
          Dashboard
        </a>
        {canReadTransactions && (
          <a href="#/transactions" aria-current={visible === 'transactions' ? 'page' : undefined}>
            Transactions
          </a>
        )}
        {canWrite && (
          <a href="#/manage" aria-current={visible === 'manage' ? 'page' : undefined}>
            Add data
          </a>
        )}
      </nav>
      <main id="main" tabIndex={-1}>
        {visible === 'dashboard' && tenant && (
          <RangePicker timeZone={tenant.timezone} range={range} onChange={setRange} busy={loading} />
        )}
        {error && (
          <p class="alert" role="alert">
            {error}
          </p>
        )}
        {visible === 'dashboard' &&
          (dashboard ? (
            <Dashboard data={dashboard} showDescriptions={canReadTransactions} />
          ) : (
            !error && <p class="boot">Loading the dashboard…</p>
          ))}
        {visible === 'transactions' && dashboard && (
          <Transactions
            token={token}
            accounts={dashboard.account_summaries}
            timeZone={dashboard.tenant_info.timezone}
          />
        )}
        {visible === 'manage' && dashboard && (
          <Manage
            token={token}
            accounts={dashboard.account_summaries}
            tenant={dashboard.tenant_info}
            onSaved={() => setVersion((v) => v + 1)}
          />
        )}
      </main>
    </>
  );
}
