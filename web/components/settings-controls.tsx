import type { SyncSettings } from '../api-types';
import { useApp } from '../context';
import type { SaveState, SettingKey } from '../models/settings.model';
import './settings-controls.css';
import { formatDateTime } from '../lib/format';

/**
 * Sync Classifications (a checkbox) and Autosync (a switch), upper right of the Users page as in
 * seed.md. Each saves on change and says so next to itself; non-admins see them disabled, the
 * reason linked through aria-describedby.
 */
export function SettingsControls({ disabledReasonId }: { disabledReasonId: string | null }) {
  const { settings } = useApp();
  const state = settings.settings.value;
  const saves = settings.saveState.value;
  if (state.status === 'loading') return <p class="settings muted">Loading settings…</p>;
  if (state.status === 'error') {
    return (
      <p class="settings settings__error" role="alert">
        Settings could not be loaded. {state.error.message}{' '}
        <button type="button" class="link-button" onClick={() => settings.reload()}>
          Try again
        </button>
      </p>
    );
  }
  const values: SyncSettings = state.data;
  const disabled = disabledReasonId !== null;
  return (
    <fieldset class="settings">
      <legend class="visually-hidden">Sync settings</legend>
      <Setting
        kind="checkbox"
        label="Sync Classifications"
        hint="Procore classifications become positions"
        name="syncClassifications"
        checked={values.syncClassifications}
        disabled={disabled}
        describedBy={disabledReasonId}
        save={saves.syncClassifications}
        onChange={(v) => settings.set('syncClassifications', v)}
      />
      <Setting
        kind="switch"
        label="Autosync"
        hint={`Syncs users once an hour, at :${String(values.autosyncMinute).padStart(2, '0')}`}
        name="autosync"
        checked={values.autosync}
        disabled={disabled}
        describedBy={disabledReasonId}
        save={saves.autosync}
        onChange={(v) => settings.set('autosync', v)}
      />
      <p class="settings__schedule" data-testid="autosync-schedule">
        {values.autosync && values.nextAutoSyncAt
          ? `Next automatic sync ${formatDateTime(values.nextAutoSyncAt)}`
          : 'Users sync only when someone presses Sync'}
        {values.lastAutoSyncAt
          ? ` · last${values.autosync ? '' : ' automatic sync'} ${formatDateTime(values.lastAutoSyncAt)}`
          : ''}
      </p>
    </fieldset>
  );
}

export function Setting(props: {
  kind: 'checkbox' | 'switch';
  label: string;
  hint: string;
  name: SettingKey;
  checked: boolean;
  disabled: boolean;
  describedBy: string | null;
  save: SaveState | undefined;
  onChange: (value: boolean) => void;
}) {
  const id = `setting-${props.name}`;
  const statusId = `${id}-status`;
  const hintId = `${id}-hint`;
  const describedBy = [hintId, statusId, props.describedBy].filter(Boolean).join(' ');
  const saving = props.save?.status === 'saving';
  return (
    <div class="setting">
      <input
        id={id}
        type="checkbox"
        role={props.kind === 'switch' ? 'switch' : undefined}
        class={props.kind === 'switch' ? 'switch' : 'checkbox'}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={describedBy}
        // While a change is saving the control stays enabled, so keyboard focus stays on it; a
        // second press waits until the first has been saved.
        onClick={(e) => {
          if (saving) e.preventDefault();
        }}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id} class="setting__label" title={props.hint}>
        {props.label}
        {props.kind === 'switch' && <span class="setting__state">{props.checked ? 'On' : 'Off'}</span>}
      </label>
      <span id={hintId} class="visually-hidden">
        {props.hint}
      </span>
      <span
        id={statusId}
        class={`setting__status setting__status--${props.save?.status ?? 'idle'}`}
        aria-live="polite"
      >
        {saveText(props.save)}
      </span>
    </div>
  );
}

function saveText(save: SaveState | undefined): string {
  switch (save?.status) {
    case 'saving':
      return 'Saving…';
    case 'saved':
      return 'Saved';
    case 'error':
      return `Not saved: ${save.message}`;
    default:
      return '';
  }
}
