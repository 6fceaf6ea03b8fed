// The shell: who is logged in, the top navigation, and which page a path shows.
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, messageOf, onSessionExpired, setCsrfToken } from './api';
import { Link, Loading } from './components/ui';
import { ApiKeysPage } from './pages/api-keys';
import { BookingsPage } from './pages/bookings';
import { LoginPage } from './pages/login';
import { OrdersPage } from './pages/orders';
import { SettingsLayout } from './pages/settings-layout';
import { WebhookDeliveriesPage } from './pages/webhook-deliveries';
import { WebhookFormPage } from './pages/webhook-form';
import { WebhooksPage } from './pages/webhooks';
import { API_KEYS, BOOKINGS, LOGIN, ORDERS, WEBHOOKS } from './paths';
import { queryClient } from './query';
import { match, navigate, usePath } from './router';
import { type Session, SessionContext, type SessionValue, useSession } from './session';

// The server sets th_csrf (readable) beside the HttpOnly session cookie.
const hasLoginCookie = () =>
  document.cookie.split(';').some((c) => c.trim().startsWith('th_csrf='));
const forgetLogin = () => {
  // biome-ignore lint/suspicious/noDocumentCookie: one expiring write; cookieStore is not everywhere yet
  document.cookie = 'th_csrf=; Path=/; Max-Age=0; SameSite=Strict';
};

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loginMessage, setLoginMessage] = useState<string>();
  const path = usePath();

  const adopt = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrf_token);
    // Nothing cached for one login is shown to the next.
    if (!s) queryClient.clear();
    setSession(s);
  }, []);

  useEffect(() => {
    onSessionExpired(() => {
      forgetLogin();
      adopt(null);
      setLoginMessage('Your session has expired. Please log in again.');
    });
    // No login cookie: straight to the login form, without a request that would only say 401.
    if (!hasLoginCookie()) {
      adopt(null);
      return;
    }
    api<Session>('GET', '/v1/session').then(adopt, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) forgetLogin();
      else setLoginMessage(messageOf(err));
      adopt(null);
    });
  }, [adopt]);

  const value = useMemo<SessionValue | null>(
    () =>
      session
        ? {
            session,
            logout: async () => {
              try {
                await api('DELETE', '/v1/session');
              } catch {
                // Already gone (expired): logged out either way.
              }
              adopt(null);
              setLoginMessage('You have logged out.');
              navigate(LOGIN);
            },
          }
        : null,
    [session, adopt],
  );

  if (session === undefined) return <Loading what="tablehooks" />;
  if (!value) {
    return (
      <LoginPage
        message={loginMessage}
        onLogin={(s) => {
          adopt(s);
          setLoginMessage(undefined);
          if (path === LOGIN || path === '/') navigate(WEBHOOKS, { replace: true });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={value}>
      <Shell>
        <Page path={path} />
      </Shell>
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  const webhook = match(`${WEBHOOKS}/:id`, path);
  const edit = match(`${WEBHOOKS}/:id/edit`, path);
  if (path === '/' || path === LOGIN || path === '/settings' || path === '/settings/integration') {
    return <Redirect to={WEBHOOKS} />;
  }
  if (path === BOOKINGS) return <BookingsPage />;
  if (path === ORDERS) return <OrdersPage />;
  if (path === WEBHOOKS || path === `${WEBHOOKS}/new` || webhook || edit || path === API_KEYS) {
    return (
      <SettingsLayout path={path}>
        {path === WEBHOOKS ? (
          <WebhooksPage />
        ) : path === `${WEBHOOKS}/new` ? (
          <WebhookFormPage key="new" />
        ) : edit ? (
          <WebhookFormPage key={edit.id} id={edit.id} />
        ) : webhook ? (
          <WebhookDeliveriesPage id={webhook.id!} />
        ) : (
          <ApiKeysPage />
        )}
      </SettingsLayout>
    );
  }
  return (
    <section className="page">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to={WEBHOOKS}>Go to the webhooks</Link>.
      </p>
    </section>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Shell({ children }: { children: ReactNode }) {
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a navigation, focus the new page's heading so keyboard and screen-reader users
  // start there (not on the link they used, which may be gone).
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new path is what triggers it
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const root = main.current;
    if (!root) return;
    const focusHeading = () => {
      const h1 = root.querySelector<HTMLElement>('h1');
      h1?.focus();
      return Boolean(h1);
    };
    if (focusHeading()) return;
    // A page still loading has no heading yet: focus it when it appears (until then the
    // focus would sit on <body>, the link that was pressed being gone).
    const watch = new MutationObserver(() => focusHeading() && watch.disconnect());
    watch.observe(root, { childList: true, subtree: true });
    return () => watch.disconnect();
  }, [path]);
  const { session, logout } = useSession();
  const nav = [
    { to: BOOKINGS, label: 'Bookings', active: path.startsWith(BOOKINGS) },
    { to: ORDERS, label: 'Online orders', active: path.startsWith(ORDERS) },
    { to: WEBHOOKS, label: 'Settings', active: path.startsWith('/settings') },
  ];
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span>
            <strong>tablehooks</strong>
            <span className="facility-name">{session.facility.name}</span>
          </span>
        </div>
        <nav aria-label="Main" className="mainnav">
          {nav.map((n) => (
            <Link key={n.to} to={n.to} aria-current={n.active ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="account">
          <span className="who" title={session.user.email}>
            {session.user.email} <span className="role">({session.user.role})</span>
          </span>
          <button type="button" className="button small" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" ref={main}>
        {children}
      </main>
    </>
  );
}
