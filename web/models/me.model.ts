import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { MeResponse } from '../api-types';
import { poll } from '../lib/poll';
import { failed, type Remote } from './remote';

export interface MeModel {
  me: ReadonlySignal<Remote<MeResponse>>;
  isAdmin: ReadonlySignal<boolean>;
  reload(): Promise<void>;
  disconnect(): Promise<void>;
}

// The connection changes rarely (a webhook arriving, an admin disconnecting elsewhere).
const ME_POLL_MS = 15_000;

export const MeModel = createModel((api: Api): MeModel => {
  const me = signal<Remote<MeResponse>>({ status: 'loading' }, { name: 'me' });
  const reload = async () => {
    try {
      me.value = { status: 'ready', data: await api.me() };
    } catch (err) {
      me.value = failed(me.peek(), err);
    }
  };
  void reload();
  effect(() => poll(reload, () => ME_POLL_MS));
  return {
    me: computed(() => me.value),
    isAdmin: computed(() => me.value.status === 'ready' && me.value.data.user.isAdmin),
    reload,
    async disconnect() {
      const connection = await api.disconnect();
      const current = me.peek();
      if (current.status === 'ready') me.value = { status: 'ready', data: { ...current.data, connection } };
    },
  };
});
