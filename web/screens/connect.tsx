import { initialize } from '@procore/procore-iframe-helpers';
import type { SessionModel } from '../models/session.model';

interface AuthFailure {
  type?: string;
  reason?: string;
}

function failureMessage(error: AuthFailure): string {
  if (error?.type === 'canceled_by_user') {
    return 'The Procore sign-in window was closed before it finished. Connect again when you are ready.';
  }
  return error?.reason ?? 'The sign-in did not finish. Try connecting again.';
}

/**
 * Shown when the frame has no session. Procore's login does not render inside an iframe, so the
 * button opens it in a popup through Procore's iframe helper (procore-app.md §2.1–2.2).
 */
export function ConnectScreen({ companyId, model }: { companyId: string; model: SessionModel }) {
  const state = model.connect.value;
  const connect = () => {
    model.startConnecting();
    const context = initialize();
    if (!('authenticate' in context.authentication) || window.opener) {
      model.failConnecting('Open Worker Sync from Procore to connect.');
      return;
    }
    context.authentication.authenticate({
      url: `/auth/procore/start?company_id=${encodeURIComponent(companyId)}`,
      onSuccess: (payload: { code?: string }) => {
        if (payload?.code) void model.finishConnecting(payload.code);
        else model.failConnecting('The sign-in did not finish. Try connecting again.');
      },
      onFailure: (error: AuthFailure) => model.failConnecting(failureMessage(error)),
    });
  };

  return (
    <section class="connect" aria-labelledby="connect-heading">
      <div class="connect-card">
        <h2 id="connect-heading">Keep your workforce in step with Procore</h2>
        <p class="connect-lead">
          Worker Sync imports your Procore company users as workers in your workforce app, and keeps them up
          to date.
        </p>
        <ul class="connect-points">
          <li>
            <strong>Sync</strong> on demand, <strong>Autosync</strong> every hour, and changes from Procore
            within seconds.
          </li>
          <li>
            <strong>User Sync Logs</strong> for every run, downloadable as a text file that says who synced
            and why anyone did not.
          </li>
          <li>Procore classifications become positions when you turn on Sync Classifications.</li>
        </ul>
        {state.status === 'idle' && state.notice && (
          <div class="core-banner core-banner--info banner" role="status">
            {state.notice}
          </div>
        )}
        {state.status === 'error' && (
          <div class="core-banner core-banner--error banner" role="alert">
            {state.message}
          </div>
        )}
        <button
          type="button"
          class="core-button core-button--primary core-button--md connect-button"
          onClick={connect}
          disabled={state.status === 'connecting'}
        >
          {state.status === 'connecting' ? 'Waiting for Procore sign-in…' : 'Connect to Procore'}
        </button>
        <p class="connect-fine">
          A sign-in window opens. Any member of this company can view sync logs and workers; a Procore company
          admin connects the app and changes its settings.
        </p>
      </div>
    </section>
  );
}
