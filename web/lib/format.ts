import type { RunCounts } from '../api-types';

// With the zone ("Nov 26, 2026, 10:44 PM CST"): a time an admin reads is never ambiguous.
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
});

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** "8 s", "2 min 5 s", "1 h 4 min": how long a run took, at a glance. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return '—';
  if (ms < 1000) return 'under 1 s';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function durationOf(run: {
  durationMs?: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}): number | null {
  if (run.durationMs !== undefined && run.durationMs !== null) return run.durationMs;
  if (!run.startedAt || !run.finishedAt) return null;
  return Date.parse(run.finishedAt) - Date.parse(run.startedAt);
}

/**
 * What a run changed, each kind its own number and only the kinds that happened: "3 created ·
 * 1 deactivated", or "No changes". Unchanged, skipped and failed are told apart, never summed in.
 */
export function changesSummary(c: RunCounts): string {
  const parts = (
    [
      [c.created, 'created'],
      [c.updated, 'updated'],
      [c.reactivated, 'reactivated'],
      [c.deactivated, 'deactivated'],
      [c.wouldDeactivate, 'held for review'],
    ] as const
  ).flatMap(([n, label]) => (n > 0 ? [`${n.toLocaleString()} ${label}`] : []));
  return parts.length > 0 ? parts.join(' · ') : 'No changes';
}

/** Every count of a run, in words, for a sentence or a tooltip. */
export function countsSentence(c: RunCounts): string {
  return (
    `${c.created} created, ${c.updated} updated, ${c.reactivated} reactivated, ${c.deactivated} deactivated, ` +
    `${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed` +
    (c.wouldDeactivate > 0 ? `, ${c.wouldDeactivate} held for review` : '')
  );
}

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** E.164 as people read it: North American numbers as (312) 555-0108, others as stored. */
export function formatPhone(e164: string | null): string | null {
  const m = e164 ? /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164) : null;
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}
