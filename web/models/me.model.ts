import { computed, createModel, type ReadonlySignal, signal } from '@preact/signals';
import type { MeResponse } from '../../server/install/connection.schemas';
import type { Api } from '../api';
import { ApiError } from '../lib/request';

/** Remote data is one status signal (style.md rule 18). */
export type Remote<T> =
  | { status: 'loading' }
  | { status: 'ready'; data: T }
  | { status: 'error'; error: ApiError };

export interface MeModel {
  me: ReadonlySignal<Remote<MeResponse>>;
  reload(): Promise<void>;
  disconnect(): Promise<void>;
}

export const MeModel = createModel((api: Api): MeModel => {
  const me = signal<Remote<MeResponse>>({ status: 'loading' }, { name: 'me' });
  const reload = async () => {
    try {
      me.value = { status: 'ready', data: await api.me() };
    } catch (err) {
      me.value = { status: 'error', error: asApiError(err) };
    }
  };
  void reload();
  return {
    me: computed(() => me.value),
    reload,
    async disconnect() {
      const connection = await api.disconnect();
      const current = me.peek();
      if (current.status === 'ready') me.value = { status: 'ready', data: { ...current.data, connection } };
    },
  };
});

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError(0, 'unknown', 'Something went wrong. Reload the page to try again.');
}
