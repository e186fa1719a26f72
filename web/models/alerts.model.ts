import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { Alert } from '../api-types';
import { poll } from '../lib/poll';
import type { MeModel } from './me.model';
import { failed, type Remote } from './remote';
import type { SyncRunsModel } from './sync-runs.model';

export interface AlertsModel {
  /** The company's problems now, most serious first (the banner on every page). */
  alerts: ReadonlySignal<Remote<Alert[]>>;
  reload(): Promise<void>;
}

/**
 * Often enough that a problem the server just found (a run that failed, the app uninstalled)
 * shows within seconds; the request is a handful of indexed reads.
 */
const ALERTS_POLL_MS = 5_000;

/** The first page of runs as a key: it changes when a run starts, ends or is reviewed. */
function runsKey(runs: SyncRunsModel): string | null {
  const state = runs.runs.value;
  return state.status === 'ready'
    ? state.data
        .slice(0, 5)
        .map((r) => `${r.id}:${r.status}`)
        .join(',')
    : null;
}

/**
 * The alerts banner's data. Polled, and asked again at once whenever the runs the page already
 * polls change (a run ended, a review was decided); a change of alerts refreshes the connection
 * too, so the Connection page never shows a state the server has moved on from.
 */
export const AlertsModel = createModel((api: Api, runs: SyncRunsModel, me: MeModel): AlertsModel => {
  const alerts = signal<Remote<Alert[]>>({ status: 'loading' }, { name: 'alerts' });
  let shown = '';
  const reload = async () => {
    try {
      const list = (await api.alerts()).alerts;
      alerts.value = { status: 'ready', data: list };
      const key = list.map((a) => `${a.code}:${a.at}`).join(',');
      if (key !== shown) {
        if (shown !== '' || list.length > 0) void me.reload();
        shown = key;
      }
    } catch (err) {
      alerts.value = failed(alerts.peek(), err);
    }
  };
  void reload();
  let kick = () => {};
  effect(() => {
    const poller = poll(reload, () => ALERTS_POLL_MS);
    kick = poller.kick;
    return poller;
  });
  let seen: string | null = null;
  effect(() => {
    const key = runsKey(runs);
    if (key !== null && seen !== null && key !== seen) {
      kick();
      void me.reload(); // the last sync and next Autosync on the Connection page
    }
    if (key !== null) seen = key;
  });
  return { alerts: computed(() => alerts.value), reload };
});
