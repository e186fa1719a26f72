import type { EntryAction, FieldChange } from '../db/database';
import { durationMs } from '../runs/run-times';
import type { RunRow } from '../runs/runs.service';

/**
 * The downloadable .txt of one run (seed.md: "download on any of the logs to see the results of
 * the sync in a txt file … which users were successfully synced and the error reasons for the
 * workers that could not be synced"). Rendered from the run and its entries only, in a stable
 * order: sections in a fixed order, people by name then Procore id.
 */
export interface LogEntry {
  procore_user_id: string;
  name: string;
  email: string | null;
  action: EntryAction;
  reason: string | null;
  changes: FieldChange[];
  warnings: string[];
}

const FIELD_LABELS: Record<string, string> = {
  first_name: 'first name',
  last_name: 'last name',
  email: 'email',
  phone: 'phone',
  payroll_id: 'payroll ID',
  position: 'position',
  active: 'active',
  procore_user: 'linked to Procore user',
};

type Group = 'synced' | 'held' | 'not_synced';

const SECTIONS: Array<{ title: string; action: EntryAction; group: Group }> = [
  { title: 'Created', action: 'created', group: 'synced' },
  { title: 'Updated', action: 'updated', group: 'synced' },
  { title: 'Reactivated', action: 'reactivated', group: 'synced' },
  { title: 'Deactivated', action: 'deactivated', group: 'synced' },
  { title: 'Unchanged', action: 'unchanged', group: 'synced' },
  { title: 'Would be deactivated', action: 'would_deactivate', group: 'held' },
  { title: 'Skipped', action: 'skipped', group: 'not_synced' },
  { title: 'Failed', action: 'failed', group: 'not_synced' },
];

/** A group's heading; the held group says whether the review still waits. */
function groupTitle(group: Group, run: RunRow): string {
  if (group === 'synced') return 'SYNCED USERS';
  if (group === 'not_synced') return 'USERS NOT SYNCED';
  return run.status === 'needs_review'
    ? 'HELD FOR REVIEW - WAITING FOR AN ADMIN TO CONFIRM OR CANCEL'
    : 'HELD FOR REVIEW - NOT DEACTIVATED (THE REVIEW ENDED WITHOUT A CONFIRMATION)';
}

const TRIGGERS = { manual: 'Manual sync', auto: 'Autosync', webhook: 'Procore change (webhook)' } as const;

/** An IANA time zone the runtime knows (the viewer's, sent by the browser), else undefined. */
export function knownTimeZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** Local wall-clock parts of `d` in `timeZone`, and that zone's offset from UTC at that moment. */
function zoned(d: Date, timeZone: string) {
  const parts: Record<string, string> = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const n = (type: string) => Number(parts[type] ?? 0);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  const offsetMin = Math.round((local - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
    offset,
  };
}

/** `2026-11-26 16:44:05 (UTC-06:00 America/Chicago)`; UTC when no zone is known. */
export function formatInZone(d: Date | null, timeZone = 'UTC'): string {
  if (!d) return '-';
  const z = zoned(d, timeZone);
  return timeZone === 'UTC' ? `${z.date} ${z.time} UTC` : `${z.date} ${z.time} (${z.offset} ${timeZone})`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function who(e: LogEntry): string {
  return `${e.name}${e.email ? ` <${e.email}>` : ''} (Procore user ${e.procore_user_id})`;
}

function describeChange(c: FieldChange): string {
  const label = FIELD_LABELS[c.field] ?? c.field;
  if (c.field === 'procore_user') return `${label} ${c.to}`;
  return `${label} "${c.from ?? ''}" -> "${c.to ?? ''}"`;
}

function line(e: LogEntry): string {
  const parts = [who(e)];
  if (e.changes.length > 0 && (e.action === 'updated' || e.action === 'reactivated')) {
    parts.push(e.changes.map(describeChange).join('; '));
  }
  if (e.reason) parts.push(e.reason);
  for (const w of e.warnings) parts.push(`warning: ${w}`);
  return `  - ${parts.join(' - ')}`;
}

/** The comparison `localeCompare(…, 'en', { sensitivity: 'base' })` makes, made once. */
const NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });

type SortKey = Pick<LogEntry, 'name' | 'procore_user_id'>;

const byName = (a: SortKey, b: SortKey) =>
  NAME_ORDER.compare(a.name, b.name) || (BigInt(a.procore_user_id) < BigInt(b.procore_user_id) ? -1 : 1);

/** One person's line of the .txt, in plain punctuation, and what orders it in its section. */
interface LogLine extends SortKey {
  text: string;
}

/**
 * The people of a run's .txt, taken a page of entries at a time: per result only each person's
 * line and what sorts it, not the entry, so a run's file costs its lines, not its rows.
 */
export class RunLogLines {
  private readonly byAction = new Map<EntryAction, LogLine[]>();

  add(entries: Iterable<LogEntry>): void {
    for (const e of entries) {
      let lines = this.byAction.get(e.action);
      if (!lines) {
        lines = [];
        this.byAction.set(e.action, lines);
      }
      // V8 flattens a string it runs a regex on, so the entry's strings the line was joined from can go.
      lines.push({ name: e.name, procore_user_id: e.procore_user_id, text: plainPunctuation(line(e)) });
    }
  }

  count(action: EntryAction): number {
    return this.byAction.get(action)?.length ?? 0;
  }

  /** The lines of one result, by name then Procore id. */
  sorted(action: EntryAction): readonly LogLine[] {
    return this.byAction.get(action)?.sort(byName) ?? [];
  }
}

/** Lines a piece of the file holds at most (`runLogPieces`). */
const LINES_PER_PIECE = 1000;

/**
 * The .txt as plain text: times in the viewer's zone with its offset written, and only ASCII
 * punctuation of our own, so a tool that reads it as Windows-1252 shows no mojibake.
 */
export function renderRunLog(
  run: RunRow,
  companyName: string,
  entries: LogEntry[],
  opts: { timeZone?: string } = {},
): string {
  const people = new RunLogLines();
  people.add(entries);
  return [...runLogPieces(run, companyName, people, opts)].join('');
}

/**
 * `renderRunLog`'s text in pieces of whole lines, each ending in a line break, made as they are
 * read (a reply streams them).
 */
export function* runLogPieces(
  run: RunRow,
  companyName: string,
  people: RunLogLines,
  opts: { timeZone?: string } = {},
): Generator<string> {
  const tz = opts.timeZone ?? 'UTC';
  const out: string[] = [];
  const piece = () => {
    const text = plainPunctuation(`${out.join('\n')}\n`);
    out.length = 0;
    return text;
  };
  const startedBy = run.started_by_name ?? (run.trigger === 'manual' ? 'unknown' : TRIGGERS[run.trigger]);
  out.push(`Worker sync log - ${companyName}`);
  out.push('');
  out.push(`Run:         #${run.number}`);
  out.push(
    `Trigger:     ${TRIGGERS[run.trigger]} (${run.mode === 'full' ? 'all users' : run.mode === 'incremental' ? 'users changed since the last sync' : 'changed users'})`,
  );
  out.push(`Started by:  ${startedBy}`);
  out.push(`Start:       ${formatInZone(run.started_at ?? run.queued_at, tz)}`);
  out.push(`End:         ${formatInZone(run.finished_at, tz)}`);
  out.push(`Duration:    ${formatDuration(durationMs(run))}`);
  out.push(
    `Status:      ${run.status.replace('_', ' ')}${run.status_reason ? ` - ${run.status_reason}` : ''}`,
  );
  out.push(`Users seen:  ${run.seen}${run.total !== null ? ` of ${run.total}` : ''}`);
  out.push(
    `Counts:      created ${run.created}, updated ${run.updated}, reactivated ${run.reactivated}, ` +
      `deactivated ${run.deactivated}, unchanged ${run.unchanged}, skipped ${run.skipped}, ` +
      `failed ${run.failed}, with warnings ${run.warnings}` +
      (run.would_deactivate > 0 ? `, would deactivate ${run.would_deactivate}` : ''),
  );

  for (const group of ['synced', 'held', 'not_synced'] as const) {
    const sections = SECTIONS.filter((s) => s.group === group);
    const count = sections.reduce((n, s) => n + people.count(s.action), 0);
    // Only a run that held anyone has the held group.
    if (group === 'held' && count === 0) continue;
    out.push('');
    out.push(`${groupTitle(group, run)} (${count})`);
    for (const section of sections) {
      const rows = people.sorted(section.action);
      if (rows.length === 0) continue;
      out.push('');
      out.push(`${section.title} (${rows.length})`);
      for (const e of rows) {
        out.push(e.text);
        if (out.length >= LINES_PER_PIECE) yield piece();
      }
    }
    if (count === 0) out.push('  (none)');
  }
  if (out.length > 0) yield piece();
}

/** Typographic punctuation swapped for plain ASCII, so Windows-1252 readers show no mojibake. */
export function plainPunctuation(text: string): string {
  return text.replace(TYPOGRAPHIC, (ch) => ASCII_FOR[ch] ?? '-');
}

/** Typographic punctuation (in reasons and in names from Procore) and its plain-text stand-in. */
const ASCII_FOR: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u2192': '->',
  '\u00a0': ' ',
  '\u00b7': '-',
};
const TYPOGRAPHIC = /[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2192\u00a0\u00b7]/g;

/**
 * `worker-sync-acme-builders-2026-11-25-run-42.txt`, dated in the viewer's zone; the timesheet
 * send's log takes the prefix `timesheet-sync`.
 */
export function logFileName(
  companyName: string,
  run: Pick<RunRow, 'number' | 'queued_at' | 'started_at'>,
  timeZone = 'UTC',
  prefix = 'worker-sync',
): string {
  const slug =
    companyName
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'company';
  const date = zoned(run.started_at ?? run.queued_at, timeZone).date;
  return `${prefix}-${slug}-${date}-run-${run.number}.txt`;
}
