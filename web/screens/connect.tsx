import { useEffect, useRef } from 'preact/hooks';
import { openConnectPopup, type PopupOutcome } from '../lib/connect-popup';
import type { SessionModel } from '../models/session.model';

function failureMessage(outcome: Extract<PopupOutcome, { kind: 'failure' }>): string {
  if (outcome.type === 'canceled_by_user') {
    return 'The Procore sign-in window was closed before it finished. Connect again when you are ready.';
  }
  return outcome.reason ?? 'The sign-in did not finish. Try connecting again.';
}

/**
 * Shown when the frame has no session. Procore's login does not render inside an iframe, so the
 * button opens it in a popup (procore-app.md §2.1–2.2). A person still signed in to Procore who
 * already allowed Worker Sync is not asked anything there: the popup closes by itself. That is
 * also the way back in where the browser keeps nothing for this frame, not even the partitioned
 * cookie a reload normally resumes from (README, "Sessions").
 */
export function ConnectScreen({ companyId, model }: { companyId: string; model: SessionModel }) {
  const state = model.connect.value;
  const abandon = useRef<(() => void) | null>(null);
  // Leaving the screen (signed in, or the frame going away) abandons an attempt still open.
  useEffect(
    () => () => {
      abandon.current?.();
      abandon.current = null;
    },
    [],
  );

  const connect = () => {
    if (window.opener) {
      model.failConnecting('Open Worker Sync from Procore to connect.');
      return;
    }
    abandon.current?.();
    model.startConnecting();
    abandon.current = openConnectPopup(
      `/auth/procore/start?company_id=${encodeURIComponent(companyId)}`,
      (outcome) => {
        abandon.current = null;
        if (outcome.kind === 'success') void model.finishConnecting(outcome.code);
        else model.failConnecting(failureMessage(outcome));
      },
    );
  };

  const busy = state.status === 'connecting' || state.status === 'resuming';
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
          disabled={busy}
        >
          {state.status === 'resuming'
            ? 'Signing you back in…'
            : state.status === 'connecting'
              ? 'Waiting for Procore sign-in…'
              : 'Connect to Procore'}
        </button>
        <p class="connect-fine">
          A sign-in window opens. Any member of this company can view sync logs and workers; a Procore company
          admin connects the app and changes its settings.
        </p>
        {!model.frameStorage.value && state.status !== 'resuming' && (
          <p class="connect-fine">
            Your browser limits what apps inside Procore pages may keep. If it asks you to connect again after
            a reload, Connect brings you back without a new sign-in while you are signed in to Procore.
          </p>
        )}
      </div>
    </section>
  );
}
