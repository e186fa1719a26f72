import { useSignal } from '@preact/signals';
import type { Connection } from '../api-types';
import { useApp } from '../context';
import { formatDateTime } from '../lib/format';
import { asApiError } from '../models/remote';

/** The company, its connection, how background access works, webhooks, and Disconnect (admins). */
export function ConnectionScreen() {
  const { me, reconnect } = useApp();
  const state = me.me.value;
  if (state.status !== 'ready') return null; // the shell shows loading and errors for `me`
  const { connection: c, user } = state.data;
  return (
    <div class="connection">
      <div class="page-head">
        <div class="page-head__text">
          <h2 class="page-title">Connection</h2>
          <p class="page-lead">How Worker Sync reaches {c.companyName} in Procore.</p>
        </div>
      </div>
      {c.state === 'disconnected' && (
        <div class="core-banner core-banner--error banner" role="alert">
          <strong>Worker Sync is disconnected from Procore.</strong>{' '}
          {c.disconnectReason ?? 'Syncs and Procore changes are paused.'} Workers and logs are kept.{' '}
          {user.isAdmin ? 'Connect again to resume.' : 'Ask a Procore company admin to connect again.'}
          {user.isAdmin && (
            <div class="banner__actions">
              <button
                type="button"
                class="core-button core-button--primary core-button--sm"
                onClick={reconnect}
              >
                Connect again
              </button>
            </div>
          )}
        </div>
      )}
      <section class="panel" aria-labelledby="company-heading">
        <h3 id="company-heading" class="panel__title">
          {c.companyName}
        </h3>
        <dl class="facts">
          <dt>Procore company ID</dt>
          <dd>{c.companyId}</dd>
          <dt>Status</dt>
          <dd>
            <span class={`pill pill--${c.state === 'connected' ? 'green' : 'red'}`}>
              {c.state === 'connected' ? 'Connected' : 'Disconnected'}
            </span>{' '}
            {c.state === 'connected'
              ? `since ${formatDateTime(c.connectedAt)}${c.connectedBy ? ` by ${c.connectedBy}` : ''}`
              : c.disconnectedAt && `since ${formatDateTime(c.disconnectedAt)}`}
          </dd>
          <dt>Background access</dt>
          <dd>
            <BackgroundAccess connection={c} />
          </dd>
          <dt>Procore changes</dt>
          <dd>
            {c.webhookRegistered ? (
              <>
                Procore tells Worker Sync when a user is added or changed, so workers follow within seconds.{' '}
                <span class="muted">
                  Last change received: {c.lastWebhookAt ? formatDateTime(c.lastWebhookAt) : 'none yet'}.
                </span>
              </>
            ) : (
              'Not set up: changes arrive with the next Sync or hourly Autosync.'
            )}
          </dd>
          <dt>Last full sync</dt>
          <dd>{c.lastFullSyncAt ? formatDateTime(c.lastFullSyncAt) : 'None yet'}</dd>
          <dt>You</dt>
          <dd>
            {user.name} ({user.isAdmin ? 'Procore company admin' : 'company member: can view, not change'})
          </dd>
        </dl>
        {c.state === 'connected' && <Disconnect companyName={c.companyName} isAdmin={user.isAdmin} />}
      </section>
    </div>
  );
}

function BackgroundAccess({ connection: c }: { connection: Connection }) {
  return c.accessMode === 'service_account' ? (
    <>
      Syncs run with the Procore service account installed with the app, so they keep working when no one is
      signed in.
    </>
  ) : (
    <>
      Syncs run with the Procore sign-in of {c.connectedBy ?? 'the admin who connected'}. Its token is stored
      encrypted and renewed automatically; if that person leaves the company, an admin should connect again.
    </>
  );
}

function Disconnect({ companyName, isAdmin }: { companyName: string; isAdmin: boolean }) {
  const { me } = useApp();
  const step = useSignal<'idle' | 'confirm' | 'busy'>('idle');
  const error = useSignal<string | null>(null);
  const disconnect = async () => {
    step.value = 'busy';
    error.value = null;
    try {
      await me.disconnect();
      step.value = 'idle';
    } catch (err) {
      error.value = asApiError(err).message;
      step.value = 'confirm';
    }
  };
  return (
    <div class="actions">
      {error.value && (
        <div class="core-banner core-banner--error banner" role="alert">
          <strong>Worker Sync is still connected.</strong> {error.value}
        </div>
      )}
      {step.value === 'idle' ? (
        <button
          type="button"
          class="core-button core-button--secondary core-button--md"
          onClick={() => {
            step.value = 'confirm';
          }}
          disabled={!isAdmin}
          aria-describedby={isAdmin ? undefined : 'disconnect-why'}
        >
          Disconnect
        </button>
      ) : (
        <div class="confirm">
          <p id="disconnect-q">
            <strong>Disconnect Worker Sync from {companyName}?</strong> Syncs, Autosync and Procore changes
            stop. Workers and logs are kept.
          </p>
          <div class="button-row">
            <button
              type="button"
              class="core-button core-button--primary core-button--md"
              onClick={disconnect}
              disabled={step.value === 'busy'}
            >
              {step.value === 'busy' ? 'Disconnecting…' : 'Yes, disconnect'}
            </button>
            <button
              type="button"
              class="core-button core-button--secondary core-button--md"
              onClick={() => {
                step.value = 'idle';
              }}
              disabled={step.value === 'busy'}
            >
              Keep connected
            </button>
          </div>
        </div>
      )}
      {!isAdmin && (
        <p id="disconnect-why" class="hint">
          Only a Procore company admin can disconnect Worker Sync.
        </p>
      )}
    </div>
  );
}
