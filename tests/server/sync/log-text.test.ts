import { expect, it } from 'vitest';
import { asWindowsText } from '../../../server/replies';
import type { RunRow } from '../../../server/runs/runs.service';
import { logFileName, renderRunLog } from '../../../server/sync/log-text';

const run = {
  id: '1042',
  number: 42,
  kind: 'users',
  trigger: 'manual',
  mode: 'full',
  started_by_name: 'Dana Whitfield',
  status: 'partial',
  status_reason: 'One user could not be saved — see below',
  queued_at: new Date('2026-11-27T04:44:00Z'),
  started_at: new Date('2026-11-27T04:44:05Z'),
  finished_at: new Date('2026-11-27T04:44:35Z'),
  seen: 2,
  total: 2,
  created: 1,
  updated: 0,
  unchanged: 0,
  deactivated: 0,
  reactivated: 0,
  skipped: 1,
  failed: 0,
  warnings: 0,
  would_deactivate: 0,
} as unknown as RunRow;

const entries = [
  {
    procore_user_id: '1',
    name: 'Seán O’Brien',
    email: 'sean@example.com',
    action: 'created' as const,
    reason: null,
    changes: [],
    warnings: [],
  },
  {
    procore_user_id: '2',
    name: 'Priya Natarajan',
    email: null,
    action: 'skipped' as const,
    reason: 'Missing email — add it in Procore’s Directory',
    changes: [],
    warnings: [],
  },
];

it('names the run by its number in the company, never by its id', () => {
  const text = renderRunLog(run, 'Acme Builders', entries);
  expect(text).toContain('Run:         #42');
  expect(text).not.toContain('1042');
});

it('groups agree with the counts: skipped and failed are not synced, held users apart', () => {
  const text = renderRunLog(run, 'Acme Builders', entries);
  expect(text).toContain('skipped 1, failed 0');
  expect(text).toContain('USERS NOT SYNCED (1)');
  expect(text).not.toContain('HELD FOR REVIEW');

  const held = {
    ...entries[0]!,
    procore_user_id: '3',
    name: 'Held Person',
    action: 'would_deactivate' as const,
  };
  const waiting = renderRunLog(
    { ...run, status: 'needs_review', would_deactivate: 1 } as RunRow,
    'Acme Builders',
    [...entries, held],
  );
  expect(waiting).toContain('HELD FOR REVIEW - WAITING FOR AN ADMIN TO CONFIRM OR CANCEL (1)');
  expect(waiting).toContain('USERS NOT SYNCED (1)');
  // A review that ended without a confirmation never says it is still waiting.
  const ended = renderRunLog({ ...run, status: 'canceled' } as RunRow, 'Acme Builders', [...entries, held]);
  expect(ended).not.toContain('WAITING');
  expect(ended).toContain('NOT DEACTIVATED');
});

it('writes the times in the viewer’s zone with the offset, and dates the file there', () => {
  const text = renderRunLog(run, 'Acme Builders', entries, { timeZone: 'America/Chicago' });
  expect(text).toContain('Start:       2026-11-26 22:44:05 (UTC-06:00 America/Chicago)');
  expect(logFileName('Acme Builders', run, 'America/Chicago')).toBe(
    'worker-sync-acme-builders-2026-11-26-run-42.txt',
  );
  expect(logFileName('Acme Builders', run)).toBe('worker-sync-acme-builders-2026-11-27-run-42.txt');
});

it('reads right in Windows tools: a BOM, CRLF line ends, and no mojibake as Windows-1252', () => {
  const file = Buffer.from(asWindowsText(renderRunLog(run, 'Acme Builders', entries)), 'utf8');
  expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const asUtf8 = file.toString('utf8');
  expect(asUtf8.split('\r\n').length).toBeGreaterThan(10);
  expect(asUtf8.replace(/\r\n/g, '')).not.toContain('\n');
  expect(asUtf8).toContain("Seán O'Brien");
  expect(asUtf8).toContain("Missing email - add it in Procore's Directory");
  const asWindows1252 = new TextDecoder('windows-1252').decode(file.subarray(3));
  expect(asWindows1252).not.toContain('â€');
});
