import type { RunRow } from './runs.repository';

/** How long a run took, once it has ended. */
export function durationMs(run: Pick<RunRow, 'started_at' | 'finished_at'>): number | null {
  return run.started_at && run.finished_at ? run.finished_at.getTime() - run.started_at.getTime() : null;
}

/** The times and progress every kind of run shows through the API. */
export function runTimesToApi(run: RunRow) {
  return {
    queuedAt: run.queued_at.toISOString(),
    startedAt: run.started_at?.toISOString() ?? null,
    finishedAt: run.finished_at?.toISOString() ?? null,
    durationMs: durationMs(run),
    progress: { seen: run.seen, total: run.total },
  };
}
