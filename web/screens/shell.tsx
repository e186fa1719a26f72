import type { Api } from '../api';
import type { MeModel } from '../models/me.model';
import { ConnectionScreen } from './connection';

/** The signed-in app: the company's pages. */
export function SignedInShell({ api, me }: { api: Api; me: MeModel }) {
  const state = me.me.value;
  switch (state.status) {
    case 'loading':
      return (
        <p class="loading" role="status">
          Loading your company…
        </p>
      );
    case 'error':
      return (
        <div class="core-banner core-banner--error banner" role="alert">
          {state.error.message}{' '}
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            onClick={() => me.reload()}
          >
            Try again
          </button>
        </div>
      );
    case 'ready':
      return <ConnectionScreen data={state.data} onDisconnect={() => me.disconnect()} api={api} />;
  }
}
