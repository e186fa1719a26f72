import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { RunResult, Worker, WorkerQuery, WorkerTotals } from '../api-types';
import { poll } from '../lib/poll';
import { failed, type Remote } from './remote';

export interface WorkerFilters {
  q: string;
  active: '' | 'true' | 'false';
  source: '' | 'procore_user' | 'local';
  positionId: string;
  /** The workers one run recorded with one result ("See all N workers" from a run). */
  run: { runId: string; result: RunResult; runNumber?: string } | null;
}

export interface WorkerPage {
  workers: Worker[];
  nextCursor: string | null;
}

export interface WorkersModel {
  workers: ReadonlySignal<Remote<WorkerPage>>;
  /** The whole company's workforce in numbers; null until first loaded. */
  totals: ReadonlySignal<WorkerTotals | null>;
  filters: ReadonlySignal<WorkerFilters>;
  /** The company's positions, for the filter (plus any seen on workers since). */
  positions: ReadonlySignal<{ id: string; name: string }[]>;
  setFilter<K extends keyof WorkerFilters>(key: K, value: WorkerFilters[K]): void;
  loadMore(): Promise<void>;
  /** After an edit on the page: the rows as shown, and the positions. */
  refresh(): Promise<void>;
}

const PAGE = 50;
const MAX_REFRESH = 200;
// A change made in Procore reaches a worker within seconds through the webhook; 5 s makes it show
// on an open Workers page soon after, at one small request per visible page.
const WORKERS_POLL_MS = 5000;
const SEARCH_DELAY_MS = 250;

export const WorkersModel = createModel((api: Api, initial: Partial<WorkerFilters> = {}): WorkersModel => {
  const workers = signal<Remote<WorkerPage>>({ status: 'loading' }, { name: 'workers' });
  const totals = signal<WorkerTotals | null>(null, { name: 'workers.totals' });
  const filters = signal<WorkerFilters>(
    { q: '', active: '', source: '', positionId: '', run: null, ...initial },
    { name: 'workers.filters' },
  );
  const positions = signal<Map<string, string>>(new Map(), { name: 'workers.positions' });
  let seq = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  const query = (): WorkerQuery => {
    const f = filters.peek();
    return {
      q: f.q.trim() || undefined,
      active: f.active || undefined,
      source: f.source || undefined,
      positionId: f.positionId || undefined,
      runId: f.run?.runId,
      result: f.run?.result,
    };
  };
  const remember = (list: Worker[]) => {
    const known = positions.peek();
    if (list.every((w) => !w.position || known.has(w.position.id))) return;
    const next = new Map(known);
    for (const w of list) if (w.position) next.set(w.position.id, w.position.name);
    positions.value = next;
  };
  /** Loads the first page, or on a live refresh as many rows as are shown (up to a limit). */
  const load = async (live: boolean) => {
    const mine = ++seq;
    const current = workers.peek();
    const shown = current.status === 'ready' ? current.data.workers.length : 0;
    const limit = live ? Math.min(MAX_REFRESH, Math.max(PAGE, shown)) : PAGE;
    if (!live) workers.value = { status: 'loading' };
    void loadTotals();
    try {
      const page = await api.listWorkers({ ...query(), limit });
      if (mine !== seq) return;
      remember(page.workers);
      workers.value = { status: 'ready', data: page };
    } catch (err) {
      if (mine === seq) workers.value = failed(workers.peek(), err);
    }
  };

  // Every position of the company for the filter, not only those of the workers loaded so far.
  const loadPositions = async () => {
    try {
      const { positions: list } = await api.listPositions();
      positions.value = new Map(list.map((p) => [p.id, p.name]));
    } catch {
      // The filter falls back to the positions seen on loaded workers.
    }
  };

  const loadTotals = async () => {
    try {
      totals.value = await api.workerTotals();
    } catch {
      // The totals keep their last value; the list says when it cannot refresh.
    }
  };

  void loadPositions();
  void load(false);
  effect(() =>
    poll(
      () => load(true),
      () => WORKERS_POLL_MS,
    ),
  );

  return {
    workers: computed(() => workers.value),
    totals: computed(() => totals.value),
    filters: computed(() => filters.value),
    positions: computed(() =>
      [...positions.value].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)),
    ),
    setFilter(key, value) {
      filters.value = { ...filters.peek(), [key]: value };
      clearTimeout(searchTimer);
      if (key === 'q') searchTimer = setTimeout(() => void load(true), SEARCH_DELAY_MS);
      else void load(false);
    },
    async refresh() {
      await Promise.all([loadPositions(), load(true)]);
    },
    async loadMore() {
      const current = workers.peek();
      if (current.status !== 'ready' || !current.data.nextCursor) return;
      const mine = ++seq;
      try {
        const page = await api.listWorkers({ ...query(), cursor: current.data.nextCursor, limit: PAGE });
        if (mine !== seq) return;
        remember(page.workers);
        workers.value = {
          status: 'ready',
          data: { workers: [...current.data.workers, ...page.workers], nextCursor: page.nextCursor },
        };
      } catch (err) {
        if (mine === seq) workers.value = failed(workers.peek(), err);
      }
    },
  };
});
