import { useLocation } from 'preact-iso';
import { useApp } from '../context';
import { plural } from '../lib/format';
import './tab-bar.css';

const TABS = [
  { path: '/', label: 'Users', matches: (p: string) => p === '/' || p.startsWith('/runs/') },
  { path: '/workers', label: 'Workers', matches: (p: string) => p === '/workers' },
  {
    path: '/timesheets',
    label: 'Timesheets',
    matches: (p: string) => p === '/timesheets' || p.startsWith('/timesheet-runs/'),
  },
  { path: '/connection', label: 'Connection', matches: (p: string) => p === '/connection' },
];

/**
 * Procore's tool tabs: links (it is navigation, so not ARIA tabs), the current page marked with
 * aria-current. A running sync shows on the Users tab from any page.
 */
export function TabBar() {
  const { path } = useLocation();
  const { href, runs } = useApp();
  const active = runs.activeRun.value;
  return (
    <nav class="tab-bar" aria-label="Worker Sync pages">
      <ul class="tab-bar__list">
        {TABS.map((tab) => {
          const current = tab.matches(path);
          return (
            <li key={tab.path}>
              <a
                class={`tab-bar__link${current ? ' tab-bar__link--current' : ''}`}
                href={href(tab.path)}
                aria-current={current ? 'page' : undefined}
              >
                {tab.label}
                {tab.path === '/' && active && (
                  <span class="tab-bar__badge">
                    <span class="visually-hidden">, </span>
                    {active.status === 'queued'
                      ? 'sync queued'
                      : `syncing ${active.progress.total ? `${Math.floor((100 * active.progress.seen) / active.progress.total)}%` : plural(active.progress.seen, 'user')}`}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
