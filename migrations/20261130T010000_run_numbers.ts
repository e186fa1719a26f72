import { type Kysely, sql } from 'kysely';

/**
 * Run numbers an admin can follow: each company's runs of a kind are numbered 1, 2, 3… in the
 * order they were made, which is the order the logs list them. The id stays the API's handle; it
 * is shared by every company and kind and was taken by every webhook change that met the hour's
 * run already there, so it jumped.
 *
 *  - `sync_runs.number`, backfilled in id order per company and kind;
 *  - a trigger numbers each new run under a per-company-and-kind advisory lock, and draws its id
 *    under the same lock, so numbers and ids rise together and an insert that meets a conflict
 *    (`on conflict do nothing`/`do update`) leaves no gap;
 *  - `sync_run_entries (company_id, procore_user_id)`: "which runs touched this person".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('number', 'integer').execute();
  await sql`update sync_runs r set number = n.number
    from (select id, row_number() over (partition by company_id, kind order by id) as number from sync_runs) n
    where r.id = n.id`.execute(db);
  await sql`alter table sync_runs alter column number set not null`.execute(db);
  await sql`create unique index sync_runs_company_kind_number on sync_runs (company_id, kind, number)`.execute(
    db,
  );
  await sql`create function sync_runs_number() returns trigger language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtext('sync_runs_number'), hashtext(new.company_id::text || ':' || new.kind));
      new.id := nextval(pg_get_serial_sequence('sync_runs', 'id'));
      select coalesce(max(number), 0) + 1 into new.number
        from sync_runs where company_id = new.company_id and kind = new.kind;
      return new;
    end
  $$`.execute(db);
  await sql`create trigger sync_runs_number before insert on sync_runs
    for each row execute function sync_runs_number()`.execute(db);
  await sql`create index sync_run_entries_company_user_idx on sync_run_entries (company_id, procore_user_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists sync_run_entries_company_user_idx`.execute(db);
  await sql`drop trigger if exists sync_runs_number on sync_runs`.execute(db);
  await sql`drop function if exists sync_runs_number()`.execute(db);
  await sql`drop index if exists sync_runs_company_kind_number`.execute(db);
  await db.schema.alterTable('sync_runs').dropColumn('number').execute();
}
