import { useSignal } from '@preact/signals';
import type { MeResponse } from '../../server/install/connection.schemas';
import type { Api } from '../api';
import { asApiError } from '../models/me.model';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'Never');

/** The company, its connection, how background access works, and Disconnect (admins). */
export function ConnectionScreen({
  data,
  onDisconnect,
}: {
  data: MeResponse;
  onDisconnect: () => Promise<void>;
  api: Api;
}) {
  const { connection: c, user } = data;
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const disconnect = async () => {
    if (!window.confirm(`Disconnect Worker Sync from ${c.companyName}? Workers and logs are kept.`)) return;
    busy.value = true;
    error.value = null;
    try {
      await onDisconnect();
    } catch (err) {
      error.value = asApiError(err).message;
    } finally {
      busy.value = false;
    }
  };
  return (
    <section class="card" aria-labelledby="connection-heading">
      <h2 id="connection-heading">{c.companyName}</h2>
      {c.state === 'disconnected' && (
        <div class="core-banner core-banner--error banner" role="alert">
          {c.disconnectReason ?? 'Worker Sync is disconnected from this company.'}
        </div>
      )}
      <dl class="facts">
        <dt>Procore company</dt>
        <dd>{c.companyId}</dd>
        <dt>Connection</dt>
        <dd>
          {c.state === 'connected'
            ? `Connected ${when(c.connectedAt)} by ${c.connectedBy ?? 'an admin'}`
            : 'Disconnected'}
        </dd>
        <dt>Background access</dt>
        <dd>
          {c.accessMode === 'service_account'
            ? "Procore service account installed with the app (client credentials): syncs don't depend on anyone staying signed in."
            : `The Procore account of ${c.connectedBy ?? 'the admin who connected'}: its token is stored encrypted and refreshed as needed.`}
        </dd>
        <dt>Procore webhooks</dt>
        <dd>
          {c.webhookRegistered
            ? `Registered; last change received ${when(c.lastWebhookAt)}`
            : 'Not registered'}
        </dd>
      </dl>
      {error.value && (
        <div class="core-banner core-banner--error banner" role="alert">
          {error.value}
        </div>
      )}
      {c.state === 'connected' && (
        <div class="actions">
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            onClick={disconnect}
            disabled={!user.isAdmin || busy.value}
            aria-describedby={user.isAdmin ? undefined : 'disconnect-why'}
          >
            {busy.value ? 'Disconnecting…' : 'Disconnect'}
          </button>
          {!user.isAdmin && (
            <p id="disconnect-why" class="hint">
              Only a Procore company admin can disconnect Worker Sync.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
