import { useLocation } from 'preact-iso';
import type { Alert } from '../api-types';
import { useApp } from '../context';
import { formatDateTime } from '../lib/format';
import './alerts-banner.css';

/**
 * The company's unresolved problems, on every page (README "Alerts"): what is wrong, what it
 * means, and the one thing to do about it — a link to the run or the Connection page, or the
 * button itself (Sync, Connect again) for an admin.
 */
export function AlertsBanner() {
  const { alerts } = useApp();
  const state = alerts.alerts.value;
  if (state.status !== 'ready' || state.data.length === 0) return null;
  return (
    <section class="alerts" aria-label="Problems that need attention">
      {state.data.map((alert) => (
        <AlertItem key={alert.code} alert={alert} />
      ))}
    </section>
  );
}

function AlertItem({ alert }: { alert: Alert }) {
  return (
    <div
      class={`core-banner core-banner--${alert.severity === 'error' ? 'error' : 'action'} banner alert`}
      role={alert.severity === 'error' ? 'alert' : 'status'}
      data-alert={alert.code}
    >
      <div class="alert__text">
        <strong class="alert__title">{alert.title}</strong> {alert.detail}
        {alert.at && <span class="alert__at"> {formatDateTime(alert.at)}</span>}
      </div>
      <AlertAction alert={alert} />
    </div>
  );
}

function AlertAction({ alert }: { alert: Alert }) {
  const { href, me, runs, reconnect } = useApp();
  const { path } = useLocation();
  const isAdmin = me.isAdmin.value;
  const action = alert.action;
  const link = (to: string) =>
    path === to ? null : (
      <a class="core-button core-button--secondary core-button--sm alert__button" href={href(to)}>
        {action.label}
      </a>
    );
  switch (action.kind) {
    case 'run':
      return link(`/runs/${action.runId}`);
    case 'timesheet_run':
      return link(`/timesheet-runs/${action.runId}`);
    case 'connection':
      return link('/connection');
    case 'sync': {
      if (!isAdmin) return <span class="alert__hint">A company admin can press Sync.</span>;
      const busy = runs.activeRun.value !== null || runs.start.value.status === 'busy';
      return (
        <button
          type="button"
          class="core-button core-button--secondary core-button--sm alert__button"
          onClick={() => runs.startSync()}
          disabled={busy}
        >
          {busy ? 'Syncing…' : action.label}
        </button>
      );
    }
    case 'reconnect':
      return isAdmin ? (
        <button
          type="button"
          class="core-button core-button--primary core-button--sm alert__button"
          onClick={reconnect}
        >
          {action.label}
        </button>
      ) : (
        <span class="alert__hint">Ask a Procore company admin to connect again.</span>
      );
  }
}
