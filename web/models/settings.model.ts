import { computed, createModel, type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';
import type { SyncSettings } from '../api-types';
import { asApiError, failed, type Remote } from './remote';

/** The settings a switch changes (`autosyncMinute` is read only). */
export type SettingKey =
  | 'syncClassifications'
  | 'autosync'
  | 'userSyncEnabled'
  | 'autoSyncTimeCards'
  | 'onlyApproved'
  | 'includeSubWorkers';

/** Each switch says what happened to its last change: saving, saved, or why it failed. */
export type SaveState =
  | { status: 'idle' }
  | { status: 'saving' }
  | { status: 'saved'; at: number }
  | { status: 'error'; message: string };

export interface SettingsModel {
  settings: ReadonlySignal<Remote<SyncSettings>>;
  saveState: ReadonlySignal<Partial<Record<SettingKey, SaveState>>>;
  set(key: SettingKey, value: boolean): Promise<void>;
  reload(): Promise<void>;
}

/**
 * Sync Classifications and Autosync, saved the moment they change (seed.md). The switch moves at
 * once; if the server refuses, it moves back and says why.
 */
export const SettingsModel = createModel((api: Api): SettingsModel => {
  const settings = signal<Remote<SyncSettings>>({ status: 'loading' }, { name: 'settings' });
  const saveState = signal<Partial<Record<SettingKey, SaveState>>>({}, { name: 'settings.save' });

  const mark = (key: SettingKey, state: SaveState) => {
    saveState.value = { ...saveState.peek(), [key]: state };
  };
  const reload = async () => {
    try {
      settings.value = { status: 'ready', data: await api.getSettings() };
    } catch (err) {
      settings.value = failed(settings.peek(), err);
    }
  };
  void reload();

  return {
    settings: computed(() => settings.value),
    saveState: computed(() => saveState.value),
    reload,
    async set(key, value) {
      const current = settings.peek();
      if (current.status !== 'ready') return;
      const before = current.data;
      settings.value = { status: 'ready', data: { ...before, [key]: value } };
      mark(key, { status: 'saving' });
      try {
        const saved = await api.updateSettings({ [key]: value });
        settings.value = { status: 'ready', data: saved };
        mark(key, { status: 'saved', at: Date.now() });
      } catch (err) {
        const latest = settings.peek();
        if (latest.status === 'ready')
          settings.value = { status: 'ready', data: { ...latest.data, [key]: before[key] } };
        mark(key, { status: 'error', message: asApiError(err).message });
      }
    },
  };
});
