// Settings > Integration > Developers > Webhooks, as the help page names the way there;
// Settings > Integration > API for the facility owner's API keys.
import type { ReactNode } from 'react';
import { Link } from '../components/ui';
import { API_KEYS, WEBHOOKS, webhookNew } from '../paths';
import { useSession } from '../session';

function crumbsOf(path: string): { label: string; to?: string }[] {
  const integration = [{ label: 'Settings' }, { label: 'Integration' }];
  if (path === API_KEYS) return [...integration, { label: 'API' }];
  const webhooks = [...integration, { label: 'Developers' }, { label: 'Webhooks', to: WEBHOOKS }];
  if (path === WEBHOOKS) return webhooks;
  if (path === webhookNew) return [...webhooks, { label: 'Add webhook' }];
  if (path.endsWith('/edit')) return [...webhooks, { label: 'Edit webhook' }];
  return [...webhooks, { label: 'Delivery log' }];
}

export function SettingsLayout({ path, children }: { path: string; children: ReactNode }) {
  const { session } = useSession();
  const crumbs = crumbsOf(path);
  const inWebhooks = path.startsWith(WEBHOOKS);
  return (
    <div className="settings">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          {crumbs.map((c, i) => (
            <li key={c.label}>
              {c.to && i < crumbs.length - 1 ? (
                <Link to={c.to}>{c.label}</Link>
              ) : (
                <span aria-current={i === crumbs.length - 1 ? 'page' : undefined}>{c.label}</span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <div className="settings-body">
        <nav aria-label="Settings" className="sidenav">
          <p className="sidenav-heading">Integration</p>
          <ul>
            <li>
              <span className="sidenav-group">Developers</span>
              <ul>
                <li>
                  <Link to={WEBHOOKS} aria-current={inWebhooks ? 'page' : undefined}>
                    Webhooks
                  </Link>
                </li>
              </ul>
            </li>
            {session.user.role === 'owner' && (
              <li>
                <Link to={API_KEYS} aria-current={path === API_KEYS ? 'page' : undefined}>
                  API
                </Link>
              </li>
            )}
          </ul>
        </nav>
        <div className="settings-content">{children}</div>
      </div>
    </div>
  );
}
