import { expect, it } from 'vitest';
import {
  EntryBatches,
  type EntryDraft,
  type EntryRow,
  eachEntryPage,
  listAllEntries,
  recordEntries,
} from '../../../server/runs/runs.service';
import { describeEachDatabase } from '../../helpers/db';
import { batchRowsOf, newCompany, queueManualRun } from '../../helpers/sync-factories';

/**
 * A run's entries read a page at a time (the .txt): every entry once, in id order, whether it
 * sits in a row of its own or in a batch row, and only the asking company's.
 */
describeEachDatabase('reading a run’s entries in pages', ({ db }) => {
  let person = 0;
  const draft = (action: EntryDraft['action'], extra: Partial<EntryDraft> = {}): EntryDraft => {
    person += 1;
    return {
      procoreUserId: String(7_000_000 + person),
      workerId: null,
      name: `Person ${person}`,
      email: `p${person}@example.com`,
      action,
      reasonCode: null,
      reason: null,
      changes: [],
      warnings: [],
      ...extra,
    };
  };

  /** A run whose pages mix people batched (three to a batch row) with people in rows of their own. */
  async function mixedRun(companyId: string) {
    const runId = await queueManualRun(db().db, companyId);
    const batches = new EntryBatches(companyId, runId, 3);
    const now = new Date();
    for (let page = 0; page < 6; page++) {
      const drafts = [
        draft('created'),
        draft('updated', { changes: [{ field: 'phone', from: null, to: '+15125550100' }] }),
        draft('unchanged'),
        draft('skipped', { reasonCode: 'invalid_email', reason: 'Email address "x@" is not valid' }),
        draft('deactivated'),
      ];
      await db()
        .db.transaction()
        .execute(async (trx) => {
          const others = await batches.take(trx, drafts, now);
          await recordEntries(trx, companyId, runId, others, { seen: drafts.length, now });
        });
      batches.committed();
    }
    await batches.storeRest(db().db, now);
    return runId;
  }

  const pagesOf = async (companyId: string, runId: string, size: number) => {
    const pages: EntryRow[][] = [];
    for await (const page of eachEntryPage(db().db, companyId, runId, size)) pages.push(page);
    return pages;
  };

  it('reads every entry once, in id order, batched or not, a page at a time', async () => {
    const company = await newCompany(db().db);
    const runId = await mixedRun(company.id);
    expect(await batchRowsOf(db().db, runId)).toBeGreaterThan(2);

    const all = await listAllEntries(db().db, company.id, runId);
    expect(all).toHaveLength(30);
    for (const size of [1, 4, 7, 30, 100]) {
      const pages = await pagesOf(company.id, runId, size);
      expect(
        pages.every((p) => p.length > 0 && p.length <= size),
        `size ${size}`,
      ).toBe(true);
      expect(pages.length).toBe(Math.ceil(30 / size));
      expect(pages.flat(), `size ${size}`).toEqual(all);
    }
    const ids = all.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    // Batched and unbatched entries alternate in id order.
    expect(all.slice(0, 5).map((e) => e.action)).toEqual([
      'created',
      'updated',
      'unchanged',
      'skipped',
      'deactivated',
    ]);
    expect(all.find((e) => e.action === 'skipped')).toMatchObject({
      reason: 'Email address "x@" is not valid',
      changes: [],
      warnings: [],
    });
  });

  it('reads nothing of a run of another company', async () => {
    const company = await newCompany(db().db);
    const other = await newCompany(db().db);
    const runId = await mixedRun(company.id);
    expect(await pagesOf(other.id, runId, 7)).toEqual([]);
  });
});
