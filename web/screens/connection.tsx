import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { Connection } from '../api-types';
import { useApp } from '../context';
import { formatDateTime } from '../lib/format';
import { asApiError } from '../models/remote';

/**
 * The company, its connection and its health (changes from Procore, the last sync that worked,
 * Autosync, open problems), how background access works, and Disconnect (admins). The connection
 * is asked again on opening the page and whenever the alerts or the runs change (alerts.model.ts).
 */
export function ConnectionScreen() {
  const { me, reconnect, alerts, href } = useApp();
  useEffect(() => {
    void me.reload();
  }, [me]);
  const state = me.me.value;
  const problems = alerts.alerts.value.status === 'ready' ? alerts.alerts.value.data.length : 0;
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
        <div class="core-banner core-banner--error banner banner--row" role="alert">
          <div>
            <strong>Worker Sync is disconnected from Procore.</strong>{' '}
            {c.disconnectReason ?? 'Syncs and Procore changes are paused.'} Workers and logs are kept.{' '}
            {user.isAdmin ? 'Connect again to resume.' : 'Ask a Procore company admin to connect again.'}
          </div>
          {user.isAdmin && (
            <button
              type="button"
              class="core-button core-button--primary core-button--sm"
              onClick={reconnect}
            >
              Connect again
            </button>
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
            <BackgroundAccess connection={c} isAdmin={user.isAdmin} />
          </dd>
          <dt>Health</dt>
          <dd>
            {c.state === 'disconnected' ? (
              'Paused while disconnected.'
            ) : problems === 0 ? (
              <span class="pill pill--green">No problems</span>
            ) : (
              <>
                <span class="pill pill--red">{problems === 1 ? '1 problem' : `${problems} problems`}</span>{' '}
                <span class="muted">
                  Shown at the top of every page until {problems === 1 ? 'it clears' : 'they clear'}; admins
                  are e-mailed.
                </span>
              </>
            )}
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
            ) : c.state === 'connected' ? (
              <RepairWebhook isAdmin={user.isAdmin} />
            ) : (
              'Not received while disconnected.'
            )}
          </dd>
          <dt>Last successful sync</dt>
          <dd>
            {c.lastSyncAt && c.lastSyncRunId ? (
              <a href={href(`/runs/${c.lastSyncRunId}`)}>{formatDateTime(c.lastSyncAt)}</a>
            ) : (
              'None yet'
            )}
            {c.lastFullSyncAt && (
              <span class="muted"> · last full sync {formatDateTime(c.lastFullSyncAt)}</span>
            )}
          </dd>
          <dt>Autosync</dt>
          <dd>
            {c.state === 'disconnected'
              ? 'Paused while disconnected.'
              : c.nextAutoSyncAt
                ? `Next ${formatDateTime(c.nextAutoSyncAt)}`
                : 'Off'}
            {c.lastAutoSyncAt && <span class="muted"> · last ran {formatDateTime(c.lastAutoSyncAt)}</span>}
          </dd>
          <dt>You</dt>
          <dd>
            {user.name} (
            {user.isAdmin
              ? 'Procore company admin'
              : 'not a Procore company admin: you can view the logs and workers, preview a sync and record timesheets; an admin syncs and changes settings'}
            )
          </dd>
        </dl>
        {c.state === 'connected' && <Disconnect companyName={c.companyName} isAdmin={user.isAdmin} />}
      </section>
    </div>
  );
}

function RepairWebhook({ isAdmin }: { isAdmin: boolean }) {
  const { api, me, alerts } = useApp();
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const repair = async () => {
    busy.value = true;
    error.value = null;
    try {
      await api.repairWebhook();
      await Promise.all([me.reload(), alerts.reload()]);
    } catch (err) {
      error.value = asApiError(err).message;
    } finally {
      busy.value = false;
    }
  };
  return (
    <>
      Not set up in Procore: changes wait for the next Sync or hourly Autosync. Worker Sync sets it up again
      every hour.{' '}
      {isAdmin && (
        <div class="banner__actions">
          <button
            type="button"
            class="core-button core-button--secondary core-button--sm"
            onClick={repair}
            disabled={busy.value}
          >
            {busy.value ? 'Setting up…' : 'Set up again'}
          </button>
        </div>
      )}
      {error.value && (
        <p class="hint" role="alert">
          {error.value}
        </p>
      )}
    </>
  );
}

function BackgroundAccess({ connection: c, isAdmin }: { connection: Connection; isAdmin: boolean }) {
  if (c.state === 'disconnected') {
    return (
      <>
        None while disconnected: no Sync, Autosync or change from Procore reaches your workers, and timesheets
        are not sent.{' '}
        {isAdmin
          ? 'Press Connect again above to resume; the next sync catches up on what changed.'
          : 'Ask a Procore company admin to connect Worker Sync again; the next sync catches up on what changed.'}
      </>
    );
  }
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
          <div>
            <strong>Worker Sync is still connected.</strong> {error.value}
          </div>
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
