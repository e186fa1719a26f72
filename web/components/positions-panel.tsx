import { useSignal } from '@preact/signals';
import type { Position } from '../api-types';
import { useApp } from '../context';
import { asApiError } from '../models/remote';
import './positions-panel.css';

/**
 * Positions (seed.md "Classifications"). While user sync is on they come from Procore's work
 * classifications and are read-only here; with it off the app keeps them, and a timesheet send
 * makes each one a Procore classification the first time a worker of it is sent.
 */
export function PositionsPanel(props: { onChanged: () => void }) {
  const { api, me, settings } = useApp();
  const open = useSignal(false);
  const list = useSignal<Position[] | null>(null);
  const error = useSignal<string | null>(null);
  const renaming = useSignal<string | null>(null);
  const busy = useSignal(false);
  const s = settings.settings.value;
  if (!me.isAdmin.value || s.status !== 'ready') return null;
  const fromProcore = s.data.userSyncEnabled;

  const load = async () => {
    try {
      list.value = (await api.listPositions()).positions;
    } catch (err) {
      error.value = asApiError(err).message;
    }
  };
  const act = async (work: () => Promise<unknown>) => {
    busy.value = true;
    error.value = null;
    try {
      await work();
      renaming.value = null;
      await load();
      props.onChanged();
      return true;
    } catch (err) {
      error.value = asApiError(err).message;
      return false;
    } finally {
      busy.value = false;
    }
  };

  if (!open.value) {
    return (
      <button
        type="button"
        class="core-button core-button--secondary core-button--md"
        onClick={() => {
          open.value = true;
          void load();
        }}
      >
        Positions
      </button>
    );
  }
  return (
    <section class="panel positions-panel" aria-labelledby="positions-title">
      <h3 id="positions-title" class="positions-panel__title">
        Positions
      </h3>
      {fromProcore ? (
        <p class="cell-note">
          User sync is on, so positions are Procore's work classifications: add or rename them in Procore.
          Turn user sync off to keep positions here; they then go to Procore as classifications on timecards.
        </p>
      ) : (
        <p class="cell-note">
          Kept in the app while user sync is off; each becomes a Procore work classification the first time a
          worker's time is sent with it.
        </p>
      )}
      {list.value === null && !error.value && <p class="muted">Loading positions…</p>}
      {list.value && (
        <ul class="positions-panel__list">
          {list.value.length === 0 && <li class="muted">No positions yet.</li>}
          {list.value.map((p) => (
            <li key={p.id}>
              {renaming.value === p.id ? (
                <form
                  class="positions-panel__rename"
                  aria-label={`Rename ${p.name}`}
                  onSubmit={(e) => {
                    e.preventDefault();
                    const name = String(
                      new FormData(e.currentTarget as HTMLFormElement).get('name') ?? '',
                    ).trim();
                    void act(() => api.renamePosition(p.id, name));
                  }}
                >
                  <input class="input" name="name" required defaultValue={p.name} aria-label="New name" />
                  <button
                    type="submit"
                    class="core-button core-button--primary core-button--sm"
                    disabled={busy.value}
                  >
                    Save
                  </button>
                  <button
                    type="button"
                    class="core-button core-button--secondary core-button--sm"
                    onClick={() => {
                      renaming.value = null;
                    }}
                  >
                    Cancel
                  </button>
                </form>
              ) : (
                <>
                  <span>{p.name}</span>
                  {p.fromProcore && <span class="cell-note">Procore classification</span>}
                  {!fromProcore && (
                    <button
                      type="button"
                      class="link-button"
                      aria-label={`Rename ${p.name}`}
                      onClick={() => {
                        renaming.value = p.id;
                      }}
                    >
                      Rename
                    </button>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {!fromProcore && (
        <form
          class="positions-panel__add"
          aria-label="Add a position"
          onSubmit={async (e) => {
            const form = e.currentTarget as HTMLFormElement;
            e.preventDefault();
            const name = String(new FormData(form).get('name') ?? '').trim();
            if (await act(() => api.createPosition(name))) form.reset();
          }}
        >
          <label class="field">
            <span class="field__label">New position</span>
            <input class="input" name="name" required maxLength={100} placeholder="e.g. Carpenter" />
          </label>
          <button
            type="submit"
            class="core-button core-button--primary core-button--md"
            disabled={busy.value}
          >
            Add position
          </button>
        </form>
      )}
      {error.value && (
        <p class="text-danger" role="alert">
          {error.value}
        </p>
      )}
      <div class="button-row">
        <button
          type="button"
          class="core-button core-button--secondary core-button--md"
          onClick={() => {
            open.value = false;
          }}
        >
          Close
        </button>
      </div>
    </section>
  );
}
