import { useSignal } from '@preact/signals';
import type { SyncRun } from '../api-types';
import { useApp } from '../context';
import { saveFile } from '../lib/download';
import { formatDateTime } from '../lib/format';
import { asApiError } from '../models/remote';

/** Downloads a run's .txt log (seed.md: "click download on any of the logs"). */
export function DownloadButton({ run, variant = 'link' }: { run: SyncRun; variant?: 'link' | 'button' }) {
  const { api } = useApp();
  const state = useSignal<'idle' | 'busy' | string>('idle');
  const download = async () => {
    state.value = 'busy';
    try {
      saveFile(await api.downloadLog(run.id), `worker-sync-log-run-${run.number}.txt`);
      state.value = 'idle';
    } catch (err) {
      state.value = `Could not download the log. ${asApiError(err).message}`;
    }
  };
  const busy = state.value === 'busy';
  const failedMessage = busy || state.value === 'idle' ? null : state.value;
  return (
    <span class="download">
      <button
        type="button"
        class={variant === 'link' ? 'link-button' : 'core-button core-button--secondary core-button--md'}
        onClick={download}
        disabled={busy}
        aria-label={
          variant === 'link' ? `Download the log of the sync on ${formatDateTime(run.queuedAt)}` : undefined
        }
      >
        {busy ? 'Downloading…' : variant === 'link' ? 'Download' : 'Download log (.txt)'}
      </button>
      {failedMessage && (
        <span class="download__error" role="alert">
          {failedMessage}
        </span>
      )}
    </span>
  );
}
