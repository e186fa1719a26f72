import { useSignal } from '@preact/signals';
import type { Timesheet } from '../api-types';
import type { CellDetails, TimesheetsModel } from '../models/timesheets.model';

/**
 * One cell in full: total hours, or time in and out with a break (a clocked shift), the project's
 * cost code from Procore, and notes. Procore's timecard entry takes the same fields, so what is
 * typed here is what the entry shows.
 */
export function CellEditor(props: {
  model: TimesheetsModel;
  workerId: string;
  day: string;
  label: string;
  t: Timesheet | undefined;
  onClose: () => void;
}) {
  const { model, t } = props;
  const mode = useSignal<'hours' | 'clock'>(t?.timeIn ? 'clock' : 'hours');
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const codes = model.costCodes.value;
  const sent = t && t.procoreEntryId !== null;

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const details: CellDetails = { costCodeId: text('costCodeId') || null, notes: text('notes') || null };
    if (mode.value === 'clock') {
      if (!text('timeIn') || !text('timeOut')) {
        error.value = 'Give both time in and time out.';
        return;
      }
      const brk = text('breakMinutes') === '' ? 0 : Number(text('breakMinutes'));
      if (!Number.isInteger(brk) || brk < 0) {
        error.value = 'The break is a whole number of minutes.';
        return;
      }
      Object.assign(details, { timeIn: text('timeIn'), timeOut: text('timeOut'), breakMinutes: brk });
    } else {
      const hours = Number(text('hours').replace(',', '.'));
      if (text('hours') === '' || !Number.isFinite(hours) || hours <= 0 || hours > 24) {
        error.value = 'Give a number of hours between 0 and 24.';
        return;
      }
      Object.assign(details, { hours, timeIn: null, timeOut: null, breakMinutes: null });
    }
    busy.value = true;
    error.value = await model.saveDetails(props.workerId, props.day, details);
    busy.value = false;
    if (!error.value) props.onClose();
  };

  return (
    <form class="panel ts-editor" aria-label={`Time for ${props.label}`} onSubmit={submit}>
      <h3 class="ts-editor__title">{props.label}</h3>
      <fieldset class="ts-editor__mode">
        <legend class="field__label">Record as</legend>
        <label>
          <input
            type="radio"
            name="mode"
            checked={mode.value === 'hours'}
            onChange={() => {
              mode.value = 'hours';
            }}
          />{' '}
          Total hours
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            checked={mode.value === 'clock'}
            onChange={() => {
              mode.value = 'clock';
            }}
          />{' '}
          Time in and out
        </label>
      </fieldset>
      <div class="filters">
        {mode.value === 'hours' ? (
          <label class="field">
            <span class="field__label">Hours</span>
            <input
              class="input"
              name="hours"
              inputMode="decimal"
              defaultValue={t ? String(Number(t.hours)) : ''}
              required
            />
          </label>
        ) : (
          <>
            <label class="field">
              <span class="field__label">Time in</span>
              <input class="input" type="time" name="timeIn" defaultValue={t?.timeIn ?? '07:00'} required />
            </label>
            <label class="field">
              <span class="field__label">Time out</span>
              <input class="input" type="time" name="timeOut" defaultValue={t?.timeOut ?? '15:30'} required />
            </label>
            <label class="field">
              <span class="field__label">Break (minutes)</span>
              <input
                class="input ts-editor__break"
                type="number"
                min={0}
                max={720}
                step={5}
                name="breakMinutes"
                defaultValue={String(t?.breakMinutes ?? 30)}
              />
            </label>
          </>
        )}
        <label class="field field--grow">
          <span class="field__label">Cost code (optional)</span>
          <select class="input" name="costCodeId" defaultValue={t?.costCodeId ?? ''}>
            <option value="">No cost code</option>
            {codes.status === 'ready' &&
              codes.data.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.code} · {c.name}
                </option>
              ))}
            {/* A code Procore no longer lists stays selectable, so saving keeps it. */}
            {t?.costCodeId &&
              !(codes.status === 'ready' && codes.data.some((c) => c.id === t.costCodeId)) && (
                <option value={t.costCodeId}>Cost code {t.costCodeId}</option>
              )}
          </select>
          {codes.status === 'loading' && <span class="cell-note">Loading the project's cost codes…</span>}
          {codes.status === 'error' && (
            <span class="cell-note">The project's cost codes could not be loaded from Procore.</span>
          )}
        </label>
        <label class="field field--grow">
          <span class="field__label">Notes (optional)</span>
          <input class="input" name="notes" maxLength={2000} defaultValue={t?.notes ?? ''} />
        </label>
      </div>
      {sent && (
        <p class="cell-note">
          In Procore already: saving marks it edited, and the next sync updates its entry.
        </p>
      )}
      {error.value && (
        <p class="text-danger" role="alert">
          {error.value}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="core-button core-button--primary core-button--md" disabled={busy.value}>
          {busy.value ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          class="core-button core-button--secondary core-button--md"
          onClick={props.onClose}
        >
          Cancel
        </button>
        {t && (
          <button
            type="button"
            class="core-button core-button--tertiary core-button--md ts-editor__delete"
            disabled={busy.value}
            onClick={async () => {
              busy.value = true;
              error.value = await model.deleteCell(props.workerId, props.day);
              busy.value = false;
              if (!error.value) props.onClose();
            }}
          >
            Delete
          </button>
        )}
      </div>
    </form>
  );
}
