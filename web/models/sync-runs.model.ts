import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { RunList, SyncRun, SyncStatus, SyncTrigger } from '../api-types';
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

type ListedRun = RunList['runs'][number];
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

export interface RunFilter {
  trigger: SyncTrigger | null;
  status: SyncStatus | null;
  /** A person's name or email. */
  person: string;
}

export interface RunSearchModel {
  filter: ReadonlySignal<RunFilter>;
  /** True while any filter or search is set: the logs show `results` instead of every run. */
  active: ReadonlySignal<boolean>;
  results: ReadonlySignal<Remote<ListedRun[]>>;
  hasMore: ReadonlySignal<boolean>;
  set(change: Partial<RunFilter>): void;
  clear(): void;
  loadMore(): Promise<void>;
}

const SEARCH_DELAY_MS = 300;
const NO_FILTER: RunFilter = { trigger: null, status: null, person: '' };

/**
 * Runs found across the company's whole history (the server filters, searches and pages): by
 * trigger, by status, and by a person, each run with that person's result in it.
 */
export const RunSearchModel = createModel((api: Api): RunSearchModel => {
  const filter = signal<RunFilter>(NO_FILTER, { name: 'runSearch.filter' });
  const results = signal<Remote<ListedRun[]>>({ status: 'loading' }, { name: 'runSearch.results' });
  const cursor = signal<string | null>(null, { name: 'runSearch.cursor' });
  const active = computed(() => {
    const f = filter.value;
    return f.trigger !== null || f.status !== null || f.person.trim() !== '';
  });
  let seq = 0; // a slower earlier answer never overwrites a newer filter's
  let timer: ReturnType<typeof setTimeout> | undefined;

  const query = () => {
    const f = filter.peek();
    return {
      trigger: f.trigger ?? undefined,
      status: f.status ?? undefined,
      q: f.person.trim() || undefined,
    };
  };
  const load = async () => {
    const mine = ++seq;
    if (!active.peek()) return;
    results.value = { status: 'loading' };
    try {
      const page = await api.listRuns({ ...query(), limit: PAGE });
      if (mine !== seq) return;
      results.value = { status: 'ready', data: page.runs };
      cursor.value = page.nextCursor;
    } catch (err) {
      if (mine === seq) results.value = failed(results.peek(), err);
    }
  };

  return {
    filter: computed(() => filter.value),
    active,
    results: computed(() => results.value),
    hasMore: computed(() => cursor.value !== null),
    set(change) {
      const typed = change.person !== undefined && Object.keys(change).length === 1;
      filter.value = { ...filter.peek(), ...change };
      clearTimeout(timer);
      if (typed) timer = setTimeout(() => void load(), SEARCH_DELAY_MS);
      else void load();
    },
    clear() {
      clearTimeout(timer);
      seq++;
      filter.value = NO_FILTER;
      cursor.value = null;
    },
    async loadMore() {
      const after = cursor.peek();
      const current = results.peek();
      if (!after || current.status !== 'ready') return;
      const mine = seq;
      try {
        const page = await api.listRuns({ ...query(), cursor: after, limit: PAGE });
        if (mine !== seq) return;
        const known = new Set(current.data.map((r) => r.id));
        results.value = {
          status: 'ready',
          data: [...current.data, ...page.runs.filter((r) => !known.has(r.id))],
        };
        cursor.value = page.nextCursor;
      } catch (err) {
        if (mine === seq) results.value = failed(results.peek(), err);
      }
    },
  };
});
