import { type Kysely, sql } from 'kysely';

/**
 * The sync matches a Procore user to an unlinked worker by email case-insensitively
 * (`lower(email) in (…)`). With only the plain (company_id, email) index that arm of the page's
 * lookup could not use an index, so PostgreSQL read every worker of the company for every page
 * of users; with this one the three arms (Procore user id, lower(email), phone) are each an
 * index lookup and a page reads only the workers it can match.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index workers_company_lower_email_idx on workers (company_id, lower(email))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists workers_company_lower_email_idx`.execute(db);
}
