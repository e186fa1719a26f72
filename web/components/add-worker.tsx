import { useSignal } from '@preact/signals';
import type { PositionList } from '../api-types';
import { useApp } from '../context';
import { asApiError } from '../models/remote';
import { PositionSelect } from './worker-detail';

/**
 * A worker who is no Procore user (seed.md "Contacts"): name, phone (E.164 made by the server),
 * email, payroll ID and position. They become a Procore contact the first time their time is sent.
 */
export function AddWorker({ onAdded }: { onAdded: () => void }) {
  const { api } = useApp();
  const open = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const done = useSignal<string | null>(null);
  const positions = useSignal<PositionList['positions']>([]);
  if (!open.value) {
    return (
      <button
        type="button"
        class="core-button core-button--primary core-button--md"
        onClick={() => {
          open.value = true;
          done.value = null;
          // The picker lists the company's positions; without them the form still adds a worker.
          api.listPositions().then(
            (list) => {
              positions.value = list.positions;
            },
            () => undefined,
          );
        }}
      >
        Add worker
      </button>
    );
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    busy.value = true;
    error.value = null;
    try {
      const { worker } = await api.createWorker({
        firstName: text('firstName'),
        lastName: text('lastName'),
        phone: text('phone'),
        email: text('email') || null,
        payrollId: text('payrollId') || null,
        positionId: text('positionId') || null,
      });
      done.value = `${worker.firstName} ${worker.lastName} was added.`;
      open.value = false;
      onAdded();
    } catch (err) {
      error.value = asApiError(err).message;
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="panel add-worker" aria-label="Add a worker" onSubmit={submit}>
      <div class="filters">
        <label class="field">
          <span class="field__label">First name</span>
          <input class="input" name="firstName" required autoComplete="off" />
        </label>
        <label class="field">
          <span class="field__label">Last name</span>
          <input class="input" name="lastName" required autoComplete="off" />
        </label>
        <label class="field">
          <span class="field__label">Phone</span>
          <input class="input" name="phone" type="tel" required placeholder="+1 312 555 0100" />
        </label>
        <label class="field">
          <span class="field__label">Email (optional)</span>
          <input class="input" name="email" type="email" />
        </label>
        <label class="field">
          <span class="field__label">Payroll ID</span>
          <input class="input" name="payrollId" />
        </label>
        <PositionSelect positions={positions.value} value="" />
      </div>
      {error.value && (
        <p class="text-danger" role="alert">
          {error.value}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="core-button core-button--primary core-button--md" disabled={busy.value}>
          {busy.value ? 'Saving…' : 'Save worker'}
        </button>
        <button
          type="button"
          class="core-button core-button--secondary core-button--md"
          onClick={() => {
            open.value = false;
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
