import { useModel } from '@preact/signals';
import { useRoute } from 'preact-iso';
import type { EntryAction, SyncRun } from '../api-types';
import { DownloadButton } from '../components/download-button';
import { EmptyState } from '../components/empty-state';
import { EntriesTable } from '../components/entries-table';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { startedBy } from '../components/logs-table';
import { ReviewPanel } from '../components/review-panel';
import { ENTRY_ACTIONS, entryLabel, RunStatusPill, TRIGGER_LABEL } from '../components/status-pill';
import { ProgressBar } from '../components/sync-progress';
import { useApp } from '../context';
import {
  changesSummary,
  countsSentence,
  durationOf,
  formatDateTime,
  formatDuration,
  plural,
} from '../lib/format';
import { RunDetailModel } from '../models/run-detail.model';

/** One run: what it was, its counts, its log, and every Procore user it touched. */
export function RunDetailScreen() {
  const { params } = useRoute();
  const runId = params.runId ?? '';
  return <RunDetail key={runId} runId={runId} />;
}

function RunDetail({ runId }: { runId: string }) {
  const { api, href, runs } = useApp();
  const model = useModel(() => new RunDetailModel(api, runId));
  const run = model.run.value;
  return (
    <div class="run-detail">
      <p class="back">
        <a href={href('/')}>← User Sync Logs</a>
      </p>
      {run.status === 'loading' && <Loading label="Loading this sync…" />}
      {run.status === 'error' && (
        <ErrorBanner
          error={run.error}
          what="This sync could not be loaded."
          onRetry={() => location.reload()}
        />
      )}
      {run.status === 'ready' && (
        <>
          <RunSummary run={run.data} />
          {run.data.status === 'needs_review' && (
            <ReviewPanel run={run.data} model={model} onDecided={() => void runs.refresh()} />
          )}
          <Entries model={model} run={run.data} />
        </>
      )}
    </div>
  );
}

function RunSummary({ run }: { run: SyncRun }) {
  const live = run.status === 'running' || run.status === 'queued';
  const c = run.counts;
  return (
    <section class="panel" aria-labelledby="run-heading">
      <div class="panel__head">
        <h2 id="run-heading" class="page-title">
          Run #{run.number} · {TRIGGER_LABEL[run.trigger]} sync ·{' '}
          {formatDateTime(run.startedAt ?? run.queuedAt)}
        </h2>
        <DownloadButton run={run} variant="button" />
      </div>
      <div class="run-status">
        <RunStatusPill status={run.status} />
        {run.statusReason && (
          <span class={run.status === 'failed' ? 'text-danger' : ''}>{run.statusReason}</span>
        )}
      </div>
      {live ? (
        <ProgressBar
          seen={run.progress.seen}
          total={run.progress.total}
          label="Users processed"
          indeterminate={!run.progress.total}
        />
      ) : (
        (run.status === 'canceled' || run.status === 'failed') &&
        run.progress.total !== null &&
        run.progress.seen < run.progress.total && (
          <ProgressBar
            seen={run.progress.seen}
            total={run.progress.total}
            label={`Users processed before the sync ${run.status === 'failed' ? 'failed' : 'was canceled'}`}
            indeterminate={false}
            stopped
          />
        )
      )}
      <dl class="stats">
        <Stat
          label="Users processed"
          value={
            run.progress.total ? `${run.progress.seen} of ${run.progress.total}` : `${run.progress.seen}`
          }
        />
        <Stat label="Changes" value={changesSummary(c)} hint={countsSentence(c)} />
        <Stat label="Unchanged" value={String(c.unchanged)} />
        <Stat label="Skipped" value={String(c.skipped)} />
        <Stat label="Failed" value={String(c.failed)} />
        <Stat label="Started by" value={startedBy(run)} />
        <Stat label="Duration" value={live ? 'In progress' : formatDuration(durationOf(run))} />
      </dl>
      {run.reviewedBy && (
        <p class="muted">
          Reviewed by {run.reviewedBy} on {formatDateTime(run.reviewedAt)}.
        </p>
      )}
    </section>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div class="stat" title={hint}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Entries({ model, run }: { model: RunDetailModel; run: SyncRun }) {
  const state = model.entries.value;
  const action = model.action.value;
  const counts: Record<EntryAction, number> = { ...run.counts, would_deactivate: run.counts.wouldDeactivate };
  return (
    <section class="panel" aria-labelledby="entries-heading">
      <h3 id="entries-heading" class="panel__title">
        Users in this sync
      </h3>
      <search class="filters" aria-label="Filter users in this sync">
        <label class="field">
          <span class="field__label">Result</span>
          <select
            class="input"
            value={action ?? ''}
            onChange={(e) =>
              model.setAction(((e.currentTarget as HTMLSelectElement).value || null) as EntryAction | null)
            }
          >
            <option value="">All results</option>
            {ENTRY_ACTIONS.filter((a) => a !== 'would_deactivate' || counts.would_deactivate > 0).map((a) => (
              <option key={a} value={a}>
                {entryLabel(a)} ({counts[a] ?? 0})
              </option>
            ))}
          </select>
        </label>
        <label class="field field--grow">
          <span class="field__label">Search</span>
          <input
            class="input"
            type="search"
            placeholder="Name or email"
            value={model.search.value}
            onInput={(e) => model.setSearch((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      </search>
      {state.status === 'loading' && <Loading label="Loading users…" />}
      {state.status === 'error' && (
        <ErrorBanner
          error={state.error}
          what="The users of this sync could not be loaded."
          onRetry={() => model.setAction(action)}
        />
      )}
      {state.status === 'ready' &&
        (state.data.entries.length === 0 ? (
          <EmptyState
            title={
              action || model.search.value
                ? 'No users match.'
                : run.status === 'queued' || run.status === 'running'
                  ? 'No users in this sync yet.'
                  : 'No users in this sync.'
            }
          >
            {action || model.search.value ? 'Try another result or search.' : emptyRunText(run)}
          </EmptyState>
        ) : (
          <>
            <EntriesTable entries={state.data.entries} caption="Users in this sync" />
            {state.data.nextCursor && (
              <div class="more">
                <button
                  type="button"
                  class="core-button core-button--secondary core-button--md"
                  onClick={() => model.loadMore()}
                >
                  Show more users
                </button>
                <span class="muted">Showing {plural(state.data.entries.length, 'user')}</span>
              </div>
            )}
          </>
        ))}
    </section>
  );
}

/** Why a run lists nobody, in the run's own terms. */
function emptyRunText(run: SyncRun): string {
  switch (run.status) {
    case 'queued':
    case 'running':
      return 'Users appear here as the sync reads them from Procore.';
    case 'failed':
      return `The sync failed before it recorded any user: ${run.statusReason ?? 'no reason was recorded.'}`;
    case 'canceled':
      return `The sync was canceled before it recorded any user${run.statusReason ? `: ${run.statusReason}` : '.'}`;
    default:
      return run.mode === 'full'
        ? 'Procore listed no users for this company.'
        : 'No user had changed in Procore since the sync before.';
  }
}
