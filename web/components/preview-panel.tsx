import type { Preview } from '../api-types';
import { plural } from '../lib/format';
import type { PreviewModel } from '../models/preview.model';
import { EntriesTable } from './entries-table';

/** What the next sync would change, asked of Procore now; nothing is written. */
export function PreviewPanel({ model }: { model: PreviewModel }) {
  const state = model.preview.value;
  if (state.status === 'idle') return null;
  return (
    <section class="panel" aria-labelledby="preview-heading">
      <div class="panel__head">
        <h3 id="preview-heading" class="panel__title">
          Preview of the next sync
        </h3>
        <button type="button" class="link-button" onClick={model.close}>
          Close preview
        </button>
      </div>
      {state.status === 'loading' && (
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" />
          Reading your Procore users… nothing is changed.
        </p>
      )}
      {state.status === 'error' && (
        <div class="core-banner core-banner--error banner banner--row" role="alert">
          <div>
            <strong>The preview could not be made.</strong> {state.message}
          </div>
          <button
            type="button"
            class="core-button core-button--secondary core-button--sm"
            onClick={() => model.run()}
          >
            Try again
          </button>
        </div>
      )}
      {state.status === 'ready' && <PreviewResult preview={state.data} />}
    </section>
  );
}

function PreviewResult({ preview }: { preview: Preview }) {
  const { counts, total, safeguard } = preview;
  const changes = preview.entries.filter((e) => e.action !== 'unchanged');
  return (
    <>
      <p class="preview-summary" role="status">
        Of {plural(total, 'Procore user')}, a sync would create {counts.created}, update {counts.updated},
        reactivate {counts.reactivated} and deactivate {safeguard.deactivations}; {counts.unchanged} stay as
        they are, {counts.skipped} would be skipped and {counts.failed} fail.
      </p>
      {safeguard.wouldStop && (
        <div class="core-banner core-banner--info banner">
          A sync now would stop for review before deactivating anyone: {safeguard.deactivations} of{' '}
          {safeguard.syncedWorkers} synced workers is more than usual.
        </div>
      )}
      {changes.length === 0 ? (
        <p class="muted">Nothing would change: your workers already match Procore.</p>
      ) : (
        <EntriesTable entries={changes} caption="What the next sync would change" />
      )}
      {preview.truncated && <p class="muted">Showing the first {changes.length.toLocaleString()} changes.</p>}
    </>
  );
}
