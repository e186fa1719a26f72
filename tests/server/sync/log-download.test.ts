import { expect, it } from 'vitest';
import { issueSession, sessionKey } from '../../../server/auth/session';
import { asWindowsText } from '../../../server/replies';
import { listAllEntries, requireRun } from '../../../server/runs/runs.service';
import { renderRunLog } from '../../../server/sync/log-text';
import type { SyncUser } from '../../../server/sync/procore-user';
import { buildTestApp } from '../../helpers/app';
import { TEST_APP_SECRET } from '../../helpers/config';
import { describeEachDatabase } from '../../helpers/db';
import {
  batchRowsOf,
  memoryDirectory,
  newCompany,
  procoreUser,
  queueManualRun,
} from '../../helpers/sync-factories';
import { runSync } from '../../helpers/sync-runner';

/**
 * The .txt of a run of a few thousand people, most of them in batch rows, read in pages: the
 * same file as the whole run rendered at once, every person in it once.
 */
describeEachDatabase('the .txt of a large run', ({ db }) => {
  const PEOPLE = 3000;

  it('is the run rendered whole: sections, order, counts, BOM and CRLF', async () => {
    const company = await newCompany(db().db, { name: 'Acme “North” Builders' });
    const queue = () => queueManualRun(db().db, company.id);
    // Names that sort only by Procore id, differ only in case or accents, and typographic ones.
    const names = ['Sam Same', 'Émile Roy', 'emile roy', 'Seán O’Brien', 'Zoë Zed', 'Aaron Able'];
    const users: SyncUser[] = Array.from({ length: PEOPLE }, (_, i) => {
      const [first, last] = (names[i % names.length] ?? 'X Y').split(' ');
      return procoreUser({
        first_name: `${first}`,
        last_name: `${last}${i % 4 === 0 ? '' : ` ${i % 97}`}`,
        ...(i % 50 === 7 ? { email_address: `person${i}@` } : {}),
      });
    });
    const pages = (list: SyncUser[]) =>
      Array.from({ length: 6 }, (_, p) => list.slice(p * 500, (p + 1) * 500));
    await runSync(db().db, () => memoryDirectory({ active: pages(users) }), company.id, await queue());

    // Again: a few renamed (rows of their own), a few gone inactive, the rest unchanged (batched).
    const again = users.map((u, i) =>
      i % 300 === 5 ? { ...u, first_name: `${u.first_name}x`, updated_at: '2026-11-02T10:00:00Z' } : u,
    );
    const gone = again.filter((_, i) => i % 700 === 11).map((u) => ({ ...u, is_active: false }));
    const active = again.filter((_, i) => i % 700 !== 11);
    const runId = await queue();
    await runSync(
      db().db,
      () => memoryDirectory({ active: pages(active), inactive: [gone] }),
      company.id,
      runId,
    );
    const run = await requireRun(db().db, company.id, runId);
    expect(run).toMatchObject({ status: 'succeeded', deactivated: gone.length });
    expect(run.updated).toBeGreaterThan(0);
    expect(await batchRowsOf(db().db, runId)).toBeGreaterThan(0);

    const { token } = await issueSession(sessionKey(TEST_APP_SECRET), {
      companyId: company.id,
      procoreUserId: '77',
      userName: 'Ada',
      isAdmin: false,
    });
    const app = await buildTestApp(db());
    try {
      const res = await app.inject({
        method: 'GET',
        url: `/api/companies/${company.id}/syncs/${runId}/log.txt?tz=America/Chicago`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      const entries = await listAllEntries(db().db, company.id, runId);
      expect(entries).toHaveLength(run.seen);
      const whole = renderRunLog(run, company.name, entries, { timeZone: 'America/Chicago' });
      expect(res.body).toBe(asWindowsText(whole));

      const lines = res.body.slice(1).split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines[0]).toBe('Worker sync log - Acme "North" Builders');
      expect(lines).toContain(`Unchanged (${run.unchanged})`);
      expect(lines).toContain(`Deactivated (${gone.length})`);
      for (const u of users) {
        const said = lines.filter(
          (l) => l.endsWith(`(Procore user ${u.id})`) || l.includes(`(Procore user ${u.id}) - `),
        );
        expect(said, u.id).toHaveLength(1);
      }
      // The same name: by Procore id.
      const unchanged = lines.slice(lines.indexOf(`Unchanged (${run.unchanged})`) + 1);
      const sams = unchanged.slice(0, unchanged.indexOf('')).filter((l) => l.startsWith('  - Sam Same <'));
      expect(sams.length).toBeGreaterThan(10);
      const samIds = sams.map((l) => BigInt(/Procore user (\d+)/.exec(l)![1]!));
      expect(samIds).toEqual([...samIds].sort((x, y) => (x < y ? -1 : 1)));
    } finally {
      await app.close();
    }
  });
});
