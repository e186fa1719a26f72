import type { SyncRun } from '../api-types';
import { useApp } from '../context';
import { plural } from '../lib/format';
import type { RunDetailModel } from '../models/run-detail.model';
import './review-panel.css';

const SHOWN = 12;

/**
 * A run stopped as needs_review: it would deactivate an unusual share of the roster (a Procore-side
 * mistake would otherwise wipe it). Shows who, and lets an admin confirm or cancel. A sync stops
 * as a whole; deactivations arriving by webhook past the limit are held in one review of their own
 * (trigger `webhook`), whose reason says how many arrived within the window.
 */
export function ReviewPanel({
  run,
  model,
  onDecided,
}: {
  run: SyncRun;
  model: RunDetailModel;
  onDecided?: () => void;
}) {
  const { me, href } = useApp();
  const isAdmin = me.isAdmin.value;
  const entries = model.entries.value;
  const review = model.review.value;
  const people =
    entries.status === 'ready' ? entries.data.entries.filter((e) => e.action === 'would_deactivate') : [];
  const count = run.counts.wouldDeactivate || people.length;
  const byWebhook = run.trigger === 'webhook';
  const decide = async (how: 'confirm' | 'cancel') => {
    await (how === 'confirm' ? model.confirm() : model.cancel());
    onDecided?.();
  };
  return (
    <section class="review" aria-labelledby={`review-${run.id}`}>
      <h3 id={`review-${run.id}`} class="review__title">
        Review needed: {byWebhook ? 'changes from Procore would deactivate' : 'this sync would deactivate'}{' '}
        {plural(count, 'worker')}
      </h3>
      <p class="review__lead">
        {run.statusReason ??
          'That is more than usual, so nobody has been deactivated yet. Check the list against Procore before you confirm.'}
      </p>
      {entries.status === 'loading' && <p class="muted">Loading who would be deactivated…</p>}
      {entries.status === 'error' && (
        <p class="text-danger">Could not load the list: {entries.error.message}</p>
      )}
      {people.length > 0 && (
        <ul class="review__list">
          {people.slice(0, SHOWN).map((e) => (
            <li key={e.id ?? e.procoreUserId}>
              <strong>{e.name}</strong>
              {e.email && <span class="muted"> · {e.email}</span>}
              {e.reason && <span class="review__reason"> — {e.reason}</span>}
            </li>
          ))}
        </ul>
      )}
      {people.length > SHOWN && (
        <p>
          <a href={`${href('/workers')}&runId=${run.id}&runNumber=${run.number}&result=would_deactivate`}>
            See all {plural(count, 'worker')}
          </a>
        </p>
      )}
      {review.status === 'error' && (
        <div class="core-banner core-banner--error banner" role="alert">
          <strong>That did not go through.</strong> {review.message}
        </div>
      )}
      <div class="review__actions">
        <button
          type="button"
          class="core-button core-button--primary core-button--md"
          disabled={!isAdmin || review.status === 'busy'}
          aria-describedby={isAdmin ? undefined : `review-why-${run.id}`}
          onClick={() => decide('confirm')}
        >
          Confirm: deactivate {plural(count, 'worker')}
        </button>
        <button
          type="button"
          class="core-button core-button--secondary core-button--md"
          disabled={!isAdmin || review.status === 'busy'}
          aria-describedby={isAdmin ? undefined : `review-why-${run.id}`}
          onClick={() => decide('cancel')}
        >
          {byWebhook ? 'Cancel: keep them active' : 'Cancel this sync'}
        </button>
        {!isAdmin && (
          <span id={`review-why-${run.id}`} class="muted">
            Only a Procore company admin can confirm or cancel.
          </span>
        )}
      </div>
    </section>
  );
}
