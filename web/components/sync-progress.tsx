import type { SyncRun } from '../api-types';
import { useApp } from '../context';
import { changesSummary, durationOf, formatDateTime, formatDuration, plural } from '../lib/format';
import { TRIGGER_LABEL } from './status-pill';
import './sync-progress.css';

/**
 * The run going now, read from the logs (so a reload, or a colleague's sync, shows the same), and
 * the outcome of a run this page watched finish.
 */
export function SyncProgress() {
  const { runs } = useApp();
  const active = runs.activeRun.value;
  const finished = runs.finishedRun.value;
  const start = runs.start.value;
  return (
    <>
      {start.status === 'error' && (
        <div class="core-banner core-banner--error banner" role="alert">
          <strong>The sync did not start.</strong> {start.message}
        </div>
      )}
      {active ? (
        <Running run={active} />
      ) : (
        finished && <Outcome run={finished} onDismiss={runs.dismissFinished} />
      )}
    </>
  );
}

function Running({ run }: { run: SyncRun }) {
  const { href } = useApp();
  const { seen, total } = run.progress;
  const who = run.startedBy ? ` by ${run.startedBy}` : run.trigger === 'auto' ? ' by Autosync' : '';
  return (
    <section class="progress-card" aria-labelledby="progress-heading">
      <div class="progress-card__head">
        <h3 id="progress-heading" class="progress-card__title">
          {run.status === 'queued' ? 'Sync queued' : 'Syncing users from Procore'}{' '}
          <span class="muted">· Run #{run.number}</span>
        </h3>
        <a href={href(`/runs/${run.id}`)}>View details</a>
      </div>
      <ProgressBar
        seen={seen}
        total={total}
        label="Users processed"
        indeterminate={run.status === 'queued' || !total}
      />
      <p class="progress-card__text">
        {run.status === 'queued'
          ? 'Starting in a moment…'
          : total
            ? `${seen.toLocaleString()} of ${plural(total, 'user')} processed`
            : `${plural(seen, 'user')} processed`}
        <span class="muted">
          {' · '}
          {changesSummary(run.counts)} · {run.counts.unchanged.toLocaleString()} unchanged ·{' '}
          {run.counts.skipped.toLocaleString()} skipped · {run.counts.failed.toLocaleString()} failed
        </span>
      </p>
      <p class="progress-card__meta muted">
        {TRIGGER_LABEL[run.trigger]} sync started{who} at {formatDateTime(run.startedAt ?? run.queuedAt)}. You
        can leave this page; the sync goes on.
      </p>
    </section>
  );
}

function Outcome({ run, onDismiss }: { run: SyncRun; onDismiss: () => void }) {
  const { href } = useApp();
  const { seen, total } = run.progress;
  const counts = `${changesSummary(run.counts).replace(/^No changes/, 'no changes')}, ${run.counts.unchanged.toLocaleString()} unchanged, ${run.counts.skipped.toLocaleString()} skipped, ${run.counts.failed.toLocaleString()} failed`;
  const tone = run.status === 'succeeded' ? 'success' : run.status === 'failed' ? 'error' : 'info';
  const canceled = run.status === 'canceled';
  return (
    <section
      class={`core-banner core-banner--${tone} banner outcome`}
      role={run.status === 'failed' ? 'alert' : 'status'}
    >
      <div class="outcome__body">
        <strong>{headline(run)}</strong>{' '}
        {run.status === 'failed' ? (
          <>
            Run #{run.number}: {run.statusReason ?? 'the sync stopped before it finished.'} Workers already
            synced keep their changes; press Sync to try again.
          </>
        ) : run.status === 'needs_review' ? (
          'Review it below before anyone is deactivated.'
        ) : canceled ? (
          <>
            {sentence(run.statusReason ?? 'It stopped before it finished')} Run #{run.number}{' '}
            {total !== null && seen < total
              ? `stopped after ${seen.toLocaleString()} of ${total.toLocaleString()} users`
              : `had read all ${plural(seen, 'user')}`}
            : {counts}.
          </>
        ) : (
          <>
            Run #{run.number} processed {seen.toLocaleString()}
            {total ? ` of ${total.toLocaleString()}` : ''} users in {formatDuration(durationOf(run))}:{' '}
            {counts}.{run.status === 'partial' && ' Open the details to see who failed and why.'}
          </>
        )}
        {run.status !== 'needs_review' && run.status !== 'failed' && (
          <ProgressBar
            seen={seen}
            total={total ?? seen}
            label={canceled ? 'Users processed before the sync was canceled' : 'Users processed'}
            indeterminate={false}
            stopped={canceled}
          />
        )}
      </div>
      <div class="outcome__actions">
        <a href={href(`/runs/${run.id}`)}>View details</a>
        <button type="button" class="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </section>
  );
}

/** A reason as a sentence: it ends with a full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

function headline(run: SyncRun): string {
  switch (run.status) {
    case 'succeeded':
      return 'Sync finished.';
    case 'partial':
      return 'Sync finished with failures.';
    case 'failed':
      return 'The sync failed.';
    case 'needs_review':
      return 'The sync is waiting for review.';
    case 'canceled':
      return 'The sync was canceled.';
    default:
      return 'Sync ended.';
  }
}

/**
 * How far a run got. `stopped`: a run that ended before it finished (canceled, failed) shows in
 * gray where it stopped, never as a full bar of success.
 */
export function ProgressBar(props: {
  seen: number;
  total: number | null;
  label: string;
  indeterminate: boolean;
  stopped?: boolean;
}) {
  const pct = props.total ? Math.min(100, Math.round((100 * props.seen) / props.total)) : 0;
  return (
    <div
      class={`bar${props.indeterminate ? ' bar--indeterminate' : ''}${props.stopped ? ' bar--stopped' : ''}`}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={props.total ?? undefined}
      aria-valuenow={props.indeterminate ? undefined : props.seen}
      aria-valuetext={props.total ? `${props.seen} of ${props.total}` : undefined}
    >
      {/* Preact 11 adds no unit to numbers: the width is a string. */}
      <div class="bar__fill" style={{ width: props.indeterminate ? '30%' : `${pct}%` }} />
    </div>
  );
}
