import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { EntryAction, SyncEntry, SyncRun } from '../api-types';
import { FAST_POLL_MS, poll, SLOW_POLL_MS } from '../lib/poll';
import { type ActionState, asApiError, failed, IDLE, type Remote } from './remote';

export interface EntryPage {
  entries: SyncEntry[];
  nextCursor: string | null;
}

export interface RunDetailModel {
  run: ReadonlySignal<Remote<SyncRun>>;
  entries: ReadonlySignal<Remote<EntryPage>>;
  action: ReadonlySignal<EntryAction | null>;
  search: ReadonlySignal<string>;
  review: ReadonlySignal<ActionState>;
  setAction(action: EntryAction | null): void;
  setSearch(text: string): void;
  loadMore(): Promise<void>;
  confirm(): Promise<void>;
  cancel(): Promise<void>;
}

const PAGE = 100;
const SEARCH_DELAY_MS = 250;

/** One run and its entries, filtered by result and searched by name or email on the server. */
export const RunDetailModel = createModel(
  (api: Api, runId: string, initialAction: EntryAction | null = null): RunDetailModel => {
    const run = signal<Remote<SyncRun>>({ status: 'loading' }, { name: 'run' });
    const entries = signal<Remote<EntryPage>>({ status: 'loading' }, { name: 'run.entries' });
    const action = signal<EntryAction | null>(initialAction, { name: 'run.action' });
    const search = signal('', { name: 'run.search' });
    const review = signal<ActionState>(IDLE, { name: 'run.review' });
    let seq = 0; // a slower earlier answer never overwrites a newer filter's
    let searchTimer: ReturnType<typeof setTimeout> | undefined;

    const query = () => ({ action: action.peek() ?? undefined, q: search.peek().trim() || undefined });
    const loadEntries = async (keepShown: boolean) => {
      const mine = ++seq;
      if (!keepShown) entries.value = { status: 'loading' };
      try {
        const page = await api.listEntries(runId, { ...query(), limit: PAGE });
        if (mine === seq) entries.value = { status: 'ready', data: page };
      } catch (err) {
        if (mine === seq) entries.value = failed(entries.peek(), err);
      }
    };
    const loadRun = async () => {
      try {
        run.value = { status: 'ready', data: (await api.getRun(runId)).run };
      } catch (err) {
        run.value = failed(run.peek(), err);
      }
    };
    const isLive = () => {
      const r = run.peek();
      return r.status === 'ready' && (r.data.status === 'running' || r.data.status === 'queued');
    };

    void loadRun();
    void loadEntries(false);
    // While the run goes on, its counts and entries grow; the first page of entries is re-read.
    effect(() =>
      poll(
        async () => {
          const wasLive = isLive();
          await loadRun();
          if (wasLive) await loadEntries(true);
        },
        () => (isLive() ? FAST_POLL_MS : SLOW_POLL_MS),
      ),
    );

    const decide = async (call: (id: string) => Promise<{ run: SyncRun }>) => {
      review.value = { status: 'busy' };
      try {
        run.value = { status: 'ready', data: (await call(runId)).run };
        review.value = IDLE;
        await loadEntries(true);
      } catch (err) {
        review.value = { status: 'error', message: asApiError(err).message };
      }
    };

    return {
      run: computed(() => run.value),
      entries: computed(() => entries.value),
      action: computed(() => action.value),
      search: computed(() => search.value),
      review: computed(() => review.value),
      setAction(next) {
        action.value = next;
        void loadEntries(false);
      },
      setSearch(text) {
        search.value = text;
        clearTimeout(searchTimer);
        searchTimer = setTimeout(() => void loadEntries(true), SEARCH_DELAY_MS);
      },
      async loadMore() {
        const current = entries.peek();
        if (current.status !== 'ready' || !current.data.nextCursor) return;
        const mine = ++seq;
        try {
          const page = await api.listEntries(runId, {
            ...query(),
            cursor: current.data.nextCursor,
            limit: PAGE,
          });
          if (mine === seq) {
            entries.value = {
              status: 'ready',
              data: { entries: [...current.data.entries, ...page.entries], nextCursor: page.nextCursor },
            };
          }
        } catch (err) {
          if (mine === seq) entries.value = failed(entries.peek(), err);
        }
      },
      confirm: () => decide(api.confirmRun),
      cancel: () => decide(api.cancelRun),
    };
  },
);
