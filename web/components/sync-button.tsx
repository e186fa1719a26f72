import type { SyncRun } from '../api-types';
import { useApp } from '../context';

/**
 * Starts a sync. While one is queued or running (whoever started it) the button says so and
 * stays disabled, so pressing it twice never asks for a second run.
 */
export function SyncButton({ blockedReasonId }: { blockedReasonId: string | null }) {
  const { runs } = useApp();
  const active = runs.activeRun.value;
  const starting = runs.start.value.status === 'busy';
  return (
    <button
      type="button"
      class="core-button core-button--primary core-button--md sync-button"
      onClick={() => runs.startSync()}
      disabled={blockedReasonId !== null || starting || active !== null}
      aria-describedby={blockedReasonId ?? undefined}
    >
      {label(active, starting)}
    </button>
  );
}

function label(active: SyncRun | null, starting: boolean): string {
  if (starting) return 'Starting…';
  if (!active) return 'Sync';
  if (active.status === 'queued') return 'Sync queued…';
  const { seen, total } = active.progress;
  return total ? `Syncing… ${seen.toLocaleString()} of ${total.toLocaleString()}` : 'Syncing…';
}
