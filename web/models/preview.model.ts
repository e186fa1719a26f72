import { computed, createModel, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { Preview } from '../api-types';
import { asApiError } from './remote';

/** A dry run: idle until asked, then what a sync would change, without changing a worker. */
export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; data: Preview; at: number }
  | { status: 'error'; message: string };

export interface PreviewModel {
  preview: ReadonlySignal<PreviewState>;
  run(): Promise<void>;
  close(): void;
}

export const PreviewModel = createModel((api: Api): PreviewModel => {
  const preview = signal<PreviewState>({ status: 'idle' }, { name: 'preview' });
  return {
    preview: computed(() => preview.value),
    async run() {
      preview.value = { status: 'loading' };
      try {
        const data = await api.previewSync();
        if (preview.peek().status === 'loading') preview.value = { status: 'ready', data, at: Date.now() };
      } catch (err) {
        if (preview.peek().status === 'loading')
          preview.value = { status: 'error', message: asApiError(err).message };
      }
    },
    close() {
      preview.value = { status: 'idle' };
    },
  };
});
