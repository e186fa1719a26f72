import type { Kysely } from 'kysely';

/**
 * A webhook run lists each person once, with their latest result, while a worker's history keeps
 * every change that reached them:
 *  - `superseded`: an entry replaced in its run's list by a later one about the same person;
 *  - `own_action`, `own_changes`: on the entry that replaced others, what this change alone did
 *    (its `action` and `changes` are the run's result for the person, first value to last).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sync_run_entries')
    .addColumn('superseded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('own_action', 'text')
    .addColumn('own_changes', 'jsonb')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sync_run_entries')
    .dropColumn('superseded')
    .dropColumn('own_action')
    .dropColumn('own_changes')
    .execute();
}
