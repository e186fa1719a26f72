import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database';
import { countEntry } from '../sync/apply-users';
import { hourStart } from '../sync/autosync';
import type { EntryDraft } from '../sync/decide';
import { insertEntries } from '../sync/entries.repository';
import { addRunProgress, zeroCounts } from '../sync/runs.repository';

/**
 * Webhook changes are logged like any run (style.md rule 16), but gathered into one run per
 * company per hour so User Sync Logs is not flooded (issue 8). The run is made on the first change
 * of the hour through the partial unique index `sync_runs_webhook_bucket`; `started_at` is that
 * first change and `finished_at` the latest, so the list shows the hour's span.
 */
export async function recordWebhookEntries(
  trx: Transaction<Database>,
  companyId: string,
  entries: EntryDraft[],
  at: Date,
): Promise<string | null> {
  if (entries.length === 0) return null;
  const run = await trx
    .insertInto('sync_runs')
    .values({
      company_id: companyId,
      trigger: 'webhook',
      mode: 'webhook',
      status: 'succeeded',
      queued_at: at,
      started_at: at,
      finished_at: at,
      bucket_start: hourStart(at),
    })
    .onConflict((oc) =>
      oc
        .columns(['company_id', 'bucket_start'])
        .where('trigger', '=', 'webhook')
        .doUpdateSet({ finished_at: sql`greatest(sync_runs.finished_at, excluded.finished_at)` }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();

  const counts = zeroCounts();
  for (const e of entries) countEntry(counts, e);
  await insertEntries(trx, companyId, run.id, entries);
  await addRunProgress(trx, companyId, run.id, { seen: entries.length, counts, now: at });
  // `partial` once any change of the hour could not be saved, like a manual run with failures.
  await trx
    .updateTable('sync_runs')
    .set({
      status: sql`case when failed > 0 then 'partial' else 'succeeded' end`,
      status_reason: sql`case when failed > 0 then failed || ' change(s) could not be saved' else null end`,
      heartbeat_at: null,
    })
    .where('company_id', '=', companyId)
    .where('id', '=', run.id)
    .execute();
  return run.id;
}
