import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { AlertsModel } from './models/alerts.model';
import type { MeModel } from './models/me.model';
import type { SettingsModel } from './models/settings.model';
import type { SyncRunsModel } from './models/sync-runs.model';

/** The Procore company the app was opened for: `?company_id=` from the manifest's URL. */
export function companyIdFromLocation(search: string): string | null {
  const value = new URLSearchParams(search).get('company_id');
  return value && /^\d{1,19}$/.test(value) ? value : null;
}

/**
 * What every signed-in screen shares, provided once by `app.tsx`. The runs
 * and settings live here, not in the Users screen, so a sync keeps being watched (and the tab
 * shows its progress) while the admin looks at Workers.
 */
export interface AppServices {
  companyId: string;
  api: Api;
  me: MeModel;
  runs: SyncRunsModel;
  settings: SettingsModel;
  /** The company's problems, shown as a banner on every page. */
  alerts: AlertsModel;
  /** Ends this frame's session and shows Connect (to connect again after a disconnect). */
  reconnect(): void;
  /** A page's address inside the frame, keeping `?company_id=`. */
  href(path: string): string;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() outside the signed-in app');
  return services;
}
