import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { SyncRun } from '../api-types';
import { FAST_POLL_MS, poll, SLOW_POLL_MS } from '../lib/poll';
import { type ActionState, asApiError, failed, IDLE, type Remote } from './remote';

export interface SyncRunsModel {
  /** User Sync Logs: newest first, the first page refreshed live, older pages appended. */
  runs: ReadonlySignal<Remote<SyncRun[]>>;
  hasMore: ReadonlySignal<boolean>;
  /** The manual or hourly run queued or going now (webhook runs are one user each). */
  activeRun: ReadonlySignal<SyncRun | null>;
  /**
   * Runs waiting for an admin to confirm their deactivations, newest first: a sync's, and the one
   * holding deactivations that arrived by webhook (the two never overlap).
   */
  reviewRuns: ReadonlySignal<SyncRun[]>;
  /** A run this page watched go by, once it has ended: its outcome is shown until dismissed. */
  finishedRun: ReadonlySignal<SyncRun | null>;
  start: ReadonlySignal<ActionState>;
  startSync(): Promise<void>;
  refresh(): Promise<void>;
  loadMore(): Promise<void>;
  dismissFinished(): void;
}

const PAGE = 25;
const isActive = (r: SyncRun) => (r.status === 'queued' || r.status === 'running') && r.trigger !== 'webhook';

/**
 * The runs of one company. The running run is read from the list, never remembered by the page,
 * so its progress survives a reload and shows whoever started it (a colleague, the hourly job).
 */
export const SyncRunsModel = createModel((api: Api): SyncRunsModel => {
  const runs = signal<Remote<SyncRun[]>>({ status: 'loading' }, { name: 'runs' });
  const cursor = signal<string | null>(null, { name: 'runs.cursor' });
  const watchedId = signal<string | null>(null, { name: 'runs.watchedId' });
  const finishedId = signal<string | null>(null, { name: 'runs.finishedId' });
  const start = signal<ActionState>(IDLE, { name: 'runs.start' });

  const list = computed(() => (runs.value.status === 'ready' ? runs.value.data : []));
  const activeRun = computed(() => list.value.find(isActive) ?? null);
  const reviewRuns = computed(() => list.value.filter((r) => r.status === 'needs_review'));
  const finishedRun = computed(() => list.value.find((r) => r.id === finishedId.value) ?? null);

  // A run that was active and no longer is has finished while this page watched it.
  effect(() => {
    const active = activeRun.value;
    const watched = watchedId.peek();
    if (active) {
      if (watched !== active.id) watchedId.value = active.id;
    } else if (watched && list.value.some((r) => r.id === watched)) {
      finishedId.value = watched;
      watchedId.value = null;
    }
  });

  /** Replaces the first page in place; pages loaded with "Show older syncs" stay. */
  const refresh = async () => {
    try {
      const page = await api.listRuns({ limit: PAGE });
      const current = runs.peek();
      const older =
        current.status === 'ready'
          ? current.data.slice(PAGE).filter((r) => !page.runs.some((p) => p.id === r.id))
          : [];
      runs.value = { status: 'ready', data: [...page.runs, ...older] };
      if (older.length === 0) cursor.value = page.nextCursor;
    } catch (err) {
      runs.value = failed(runs.peek(), err);
    }
  };

  const mergeRun = (run: SyncRun) => {
    const current = runs.peek();
    const rest = current.status === 'ready' ? current.data.filter((r) => r.id !== run.id) : [];
    runs.value = {
      status: 'ready',
      data: [run, ...rest].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt)),
    };
  };

  void refresh();
  let kick = () => {};
  effect(() => {
    const poller = poll(refresh, () => (activeRun.peek() ? FAST_POLL_MS : SLOW_POLL_MS));
    kick = poller.kick;
    return poller;
  });

  return {
    runs: computed(() => runs.value),
    hasMore: computed(() => cursor.value !== null),
    activeRun,
    reviewRuns,
    finishedRun,
    start: computed(() => start.value),
    refresh,
    async startSync() {
      if (start.peek().status === 'busy' || activeRun.peek()) return;
      start.value = { status: 'busy' };
      finishedId.value = null;
      try {
        const { run } = await api.startSync();
        mergeRun(run); // pressing again returns the run already going: the button shows it either way
        start.value = IDLE;
        kick(); // live progress from the first second, not after the slow poll's next turn
      } catch (err) {
        start.value = { status: 'error', message: asApiError(err).message };
      }
    },
    async loadMore() {
      const after = cursor.peek();
      const current = runs.peek();
      if (!after || current.status !== 'ready') return;
      try {
        const page = await api.listRuns({ cursor: after, limit: PAGE });
        const known = new Set(current.data.map((r) => r.id));
        runs.value = {
          status: 'ready',
          data: [...current.data, ...page.runs.filter((r) => !known.has(r.id))],
        };
        cursor.value = page.nextCursor;
      } catch (err) {
        runs.value = failed(runs.peek(), err);
      }
    },
    dismissFinished() {
      finishedId.value = null;
    },
  };
});
