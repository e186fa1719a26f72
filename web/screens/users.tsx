import { useModel } from '@preact/signals';
import type { SyncRun, SyncStatus, SyncTrigger } from '../api-types';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { LogsTable } from '../components/logs-table';
import { PreviewPanel } from '../components/preview-panel';
import { ReviewPanel } from '../components/review-panel';
import { SettingsControls } from '../components/settings-controls';
import { RunStatusLabel, TRIGGER_LABEL } from '../components/status-pill';
import { SyncButton } from '../components/sync-button';
import { SyncProgress } from '../components/sync-progress';
import { useApp } from '../context';
import { PreviewModel } from '../models/preview.model';
import { RunDetailModel } from '../models/run-detail.model';
import { RunSearchModel } from '../models/sync-runs.model';

const WHY_ID = 'users-admin-why';

/**
 * The Users page (seed.md): User Sync Logs first; Sync Classifications, Autosync and Sync in the
 * upper right; the running sync's progress; a run waiting for review; a preview on request.
 */
export function UsersScreen() {
  const { me, runs, settings, api } = useApp();
  const preview = useModel(() => new PreviewModel(api));
  const search = useModel(() => new RunSearchModel(api));
  const isAdmin = me.isAdmin.value;
  const meData = me.me.value.status === 'ready' ? me.me.value.data : null;
  const disconnected = meData?.connection.state === 'disconnected';
  const s = settings.settings.value;
  const userSyncOff = s.status === 'ready' && !s.data.userSyncEnabled;

  const why = !isAdmin
    ? 'Only a Procore company admin can start a sync or change these settings.'
    : disconnected
      ? 'Worker Sync is disconnected from Procore: connect again on the Connection page to sync.'
      : userSyncOff
        ? 'User sync is turned off for this company, so Procore users are not imported.'
        : null;
  const settingsWhy = !isAdmin ? WHY_ID : null;
  const syncWhy = why ? WHY_ID : null;
  // Preview changes nothing, so anyone may ask for one while Procore can be read.
  const previewWhy = disconnected || userSyncOff ? WHY_ID : null;
  const reviews = runs.reviewRuns.value;

  return (
    <div class="users">
      <div class="page-head">
        <div class="page-head__text">
          <h2 class="page-title">User Sync Logs</h2>
          <p class="page-lead">
            Every sync of your Procore users into workers, manual and automatic. Open one to see who synced
            and why anyone did not.
          </p>
        </div>
        <div class="page-head__tools">
          <SettingsControls disabledReasonId={settingsWhy} />
          <div class="button-row">
            <button
              type="button"
              class="core-button core-button--secondary core-button--md"
              onClick={() => preview.run()}
              disabled={previewWhy !== null || preview.preview.value.status === 'loading'}
              aria-describedby={previewWhy ?? undefined}
            >
              {preview.preview.value.status === 'loading' ? 'Previewing…' : 'Preview'}
            </button>
            <SyncButton blockedReasonId={syncWhy} />
          </div>
          {why && (
            <p id={WHY_ID} class="page-head__why">
              {why}
            </p>
          )}
        </div>
      </div>
      <SyncProgress />
      {reviews.map((review) => (
        <UsersReview key={review.id} run={review} />
      ))}
      <PreviewPanel model={preview} />
      <RunFilters search={search} />
      {search.active.value ? <FoundRuns search={search} /> : <RunLog />}
    </div>
  );
}

function UsersReview({ run }: { run: SyncRun }) {
  const { api, runs } = useApp();
  const model = useModel(() => new RunDetailModel(api, run.id, 'would_deactivate'));
  return <ReviewPanel run={run} model={model} onDecided={() => void runs.refresh()} />;
}

function RunLog() {
  const { runs, me } = useApp();
  const state = runs.runs.value;
  switch (state.status) {
    case 'loading':
      return <Loading label="Loading the sync logs…" />;
    case 'error':
      return (
        <ErrorBanner
          error={state.error}
          what="The sync logs could not be loaded."
          onRetry={() => runs.refresh()}
        />
      );
    case 'ready':
      return (
        <>
          {state.refreshError && (
            <p class="stale" role="status">
              Could not refresh the logs ({state.refreshError.message}). Showing what was loaded before;
              retrying automatically.
            </p>
          )}
          {state.data.length === 0 ? (
            <EmptyState title="No syncs yet.">
              {me.isAdmin.value
                ? 'Press Sync to import your Procore users.'
                : 'A Procore company admin can press Sync to import your Procore users.'}
            </EmptyState>
          ) : (
            <LogsTable runs={state.data} />
          )}
          {runs.hasMore.value && (
            <div class="more">
              <button
                type="button"
                class="core-button core-button--secondary core-button--md"
                onClick={() => runs.loadMore()}
              >
                Show older syncs
              </button>
            </div>
          )}
        </>
      );
  }
}

const TRIGGERS: SyncTrigger[] = ['manual', 'auto', 'webhook'];
const STATUSES: SyncStatus[] = ['failed', 'needs_review', 'partial', 'succeeded', 'canceled', 'running'];

/** Search a person across every run, and narrow the runs by trigger and status. */
function RunFilters({ search }: { search: RunSearchModel }) {
  const f = search.filter.value;
  return (
    <search class="filters" aria-label="Search and filter the sync logs">
      <label class="field field--grow">
        <span class="field__label">Person</span>
        <input
          class="input"
          type="search"
          placeholder="Name or email, across all syncs"
          value={f.person}
          onInput={(e) => search.set({ person: (e.currentTarget as HTMLInputElement).value })}
        />
      </label>
      <label class="field">
        <span class="field__label">Trigger</span>
        <select
          class="input"
          value={f.trigger ?? ''}
          onChange={(e) =>
            search.set({
              trigger: ((e.currentTarget as HTMLSelectElement).value || null) as SyncTrigger | null,
            })
          }
        >
          <option value="">All triggers</option>
          {TRIGGERS.map((t) => (
            <option key={t} value={t}>
              {TRIGGER_LABEL[t]}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field__label">Status</span>
        <select
          class="input"
          value={f.status ?? ''}
          onChange={(e) =>
            search.set({
              status: ((e.currentTarget as HTMLSelectElement).value || null) as SyncStatus | null,
            })
          }
        >
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {RunStatusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      {search.active.value && (
        <button type="button" class="link-button filters__clear" onClick={() => search.clear()}>
          Clear
        </button>
      )}
    </search>
  );
}

/** The runs a search or filter found, across the company's whole history. */
function FoundRuns({ search }: { search: RunSearchModel }) {
  const state = search.results.value;
  const person = search.filter.value.person.trim();
  if (state.status === 'loading') return <Loading label="Searching the sync logs…" />;
  if (state.status === 'error') {
    return (
      <ErrorBanner
        error={state.error}
        what="The sync logs could not be searched."
        onRetry={() => search.set({})}
      />
    );
  }
  if (state.data.length === 0) {
    return (
      <EmptyState title={person ? `No sync touched “${person}”.` : 'No syncs match.'}>
        {person ? 'Check the spelling, or search by email. ' : ''}Try another trigger or status, or clear the
        filters.
      </EmptyState>
    );
  }
  return (
    <>
      <p class="muted found" role="status">
        {search.hasMore.value
          ? 'Newest matching syncs first.'
          : `${state.data.length} matching sync${state.data.length === 1 ? '' : 's'}.`}
      </p>
      <LogsTable runs={state.data} person={person || undefined} />
      {search.hasMore.value && (
        <div class="more">
          <button
            type="button"
            class="core-button core-button--secondary core-button--md"
            onClick={() => search.loadMore()}
          >
            Show older matching syncs
          </button>
        </div>
      )}
    </>
  );
}
