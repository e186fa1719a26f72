import { lazy, Route, Router } from 'preact-iso';
import { AlertsBanner } from '../components/alerts-banner';
import { AppHeader } from '../components/app-header';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { TabBar } from '../components/tab-bar';
import { useApp } from '../context';

// Screens are few and lazy (style.md rule 20); Users is the default, as in seed.md.
const UsersScreen = lazy(() => import('./users').then((m) => m.UsersScreen));
const RunDetailScreen = lazy(() => import('./run-detail').then((m) => m.RunDetailScreen));
const WorkersScreen = lazy(() => import('./workers').then((m) => m.WorkersScreen));
const TimesheetsScreen = lazy(() => import('./timesheets').then((m) => m.TimesheetsScreen));
const TimesheetRunScreen = lazy(() => import('./timesheet-run').then((m) => m.TimesheetRunScreen));
const ConnectionScreen = lazy(() => import('./connection').then((m) => m.ConnectionScreen));

/** The signed-in app: who and which company, the tab bar, and the page. */
export function Shell() {
  const { me } = useApp();
  const state = me.me.value;
  return (
    <div class="app">
      <AppHeader>
        {state.status === 'ready' && (
          <p class="app-context">
            <span class="app-company">{state.data.connection.companyName}</span>
            <span class="app-user">
              {state.data.user.name} · {state.data.user.isAdmin ? 'Company admin' : 'Not a company admin'}
            </span>
          </p>
        )}
      </AppHeader>
      <TabBar />
      <main class="page" id="main">
        {state.status === 'loading' && <Loading label="Loading your company…" />}
        {state.status === 'error' && (
          <ErrorBanner
            error={state.error}
            what="Worker Sync could not load your company."
            onRetry={() => me.reload()}
          />
        )}
        {state.status === 'ready' && <AlertsBanner />}
        {state.status === 'ready' && (
          <Router>
            <Route path="/" component={UsersScreen} />
            <Route path="/runs/:runId" component={RunDetailScreen} />
            <Route path="/workers" component={WorkersScreen} />
            <Route path="/timesheets" component={TimesheetsScreen} />
            <Route path="/timesheet-runs/:runId" component={TimesheetRunScreen} />
            <Route path="/connection" component={ConnectionScreen} />
            <Route default component={UsersScreen} />
          </Router>
        )}
      </main>
    </div>
  );
}
