import { useModel } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { createApi } from './api';
import { companyIdFromLocation } from './context';
import { setUnauthorizedHandler } from './lib/request';
import { MeModel } from './models/me.model';
import { SessionModel } from './models/session.model';
import { ConnectScreen } from './screens/connect';
import { SignedInShell } from './screens/shell';

export function App() {
  const companyId = companyIdFromLocation(window.location.search);
  if (!companyId) {
    return (
      <main class="app">
        <Header />
        <section class="core-banner core-banner--error banner" role="alert">
          Open Worker Sync from your company's tools in Procore: the address has to say which company it is
          for (<code>?company_id=</code>), and this one does not.
        </section>
      </main>
    );
  }
  return <CompanyApp companyId={companyId} />;
}

function CompanyApp({ companyId }: { companyId: string }) {
  const session = useModel(() => new SessionModel(companyId));
  useEffect(() => {
    setUnauthorizedHandler(() => session.expire());
    return () => setUnauthorizedHandler(null);
  }, [session]);
  const signedIn = session.session.value;
  return (
    <main class="app">
      <Header userName={signedIn?.userName} />
      {signedIn ? (
        <SignedIn companyId={companyId} token={session.token} key={signedIn.token} />
      ) : (
        <ConnectScreen companyId={companyId} model={session} />
      )}
    </main>
  );
}

function SignedIn({ companyId, token }: { companyId: string; token: () => string | null }) {
  const api = useMemo(() => createApi(companyId, token), [companyId, token]);
  const me = useModel(() => new MeModel(api));
  return <SignedInShell api={api} me={me} />;
}

function Header({ userName }: { userName?: string }) {
  return (
    <header class="app-header">
      <h1 class="app-title">Worker Sync</h1>
      <p class="app-subtitle">Procore users → workforce workers</p>
      {userName && <p class="app-user">Signed in as {userName}</p>}
    </header>
  );
}
