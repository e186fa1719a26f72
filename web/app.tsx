import { useModel } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { ErrorBoundary, LocationProvider } from 'preact-iso';
import { createApi } from './api';
import { AppHeader } from './components/app-header';
import { AppContext, type AppServices, companyIdFromLocation } from './context';
import { setUnauthorizedHandler } from './lib/request';
import { AlertsModel } from './models/alerts.model';
import { MeModel } from './models/me.model';
import { SessionModel } from './models/session.model';
import { SettingsModel } from './models/settings.model';
import { SyncRunsModel } from './models/sync-runs.model';
import { ConnectScreen } from './screens/connect';
import { Shell } from './screens/shell';

export function App() {
  const companyId = companyIdFromLocation(window.location.search);
  return (
    <ErrorBoundary onError={(err) => console.error(err)}>
      {companyId ? (
        <CompanyApp companyId={companyId} />
      ) : (
        <main class="app">
          <AppHeader />
          <div class="core-banner core-banner--error banner" role="alert">
            Open Worker Sync from your company's tools in Procore: the address has to say which company it is
            for (<code>?company_id=</code>), and this one does not.
          </div>
        </main>
      )}
    </ErrorBoundary>
  );
}

function CompanyApp({ companyId }: { companyId: string }) {
  const session = useModel(() => new SessionModel(companyId));
  useEffect(() => {
    setUnauthorizedHandler(() => session.expire());
    return () => setUnauthorizedHandler(null);
  }, [session]);
  const signedIn = session.session.value;
  if (!signedIn) {
    return (
      <main class="app">
        <AppHeader />
        <ConnectScreen companyId={companyId} model={session} />
      </main>
    );
  }
  // Keyed by token: a new sign-in starts every model afresh.
  return (
    <SignedIn
      key={signedIn.token}
      companyId={companyId}
      token={session.token}
      reconnect={() => session.expire('Connect to Procore again to resume syncing.')}
    />
  );
}

function SignedIn(props: { companyId: string; token: () => string | null; reconnect: () => void }) {
  const { companyId, token, reconnect } = props;
  const api = useMemo(() => createApi(companyId, token), [companyId, token]);
  const me = useModel(() => new MeModel(api));
  const runs = useModel(() => new SyncRunsModel(api));
  const settings = useModel(() => new SettingsModel(api));
  const alerts = useModel(() => new AlertsModel(api, runs, me));
  const services = useMemo<AppServices>(
    () => ({
      companyId,
      api,
      me,
      runs,
      settings,
      alerts,
      reconnect,
      href: (path) => `${path}?company_id=${companyId}`,
    }),
    [companyId, api, me, runs, settings, alerts, reconnect],
  );
  return (
    <AppContext.Provider value={services}>
      <LocationProvider>
        <Shell />
      </LocationProvider>
    </AppContext.Provider>
  );
}
