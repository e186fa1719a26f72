import { type Kysely, sql } from 'kysely';

/**
 * Sessions that outlive one page and end when they should (README, "Sessions"):
 *  - `companies.session_epoch`: every session is bound to the epoch it was issued under; Disconnect
 *    and an uninstall bump it, so every session of the company is refused at once;
 *  - `app_sessions` (server/auth): one row per sign-in, reached by an opaque refresh handle that
 *    is stored only as a hash, with the person's own Procore grant (encrypted) so renewal can ask
 *    Procore again whether they are still in the company and still an admin;
 *  - `auth_handoffs.session_id`: the one-time code now names the sign-in it hands over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('companies')
    .addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('app_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle_hash', 'text', (c) => c.unique())
    .addColumn('company_id', 'bigint', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('company_epoch', 'integer', (c) => c.notNull())
    .addColumn('procore_user_id', 'bigint', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'boolean', (c) => c.notNull())
    .addColumn('admin_rule', 'text', (c) => c.notNull().check(sql`admin_rule in ('manifest', 'template')`))
    // 'own': this sign-in's Procore grant, below; 'company': the company's stored user token is the
    // same person's (the connecting admin when there is no service account); 'none': nothing kept.
    .addColumn('procore_grant', 'text', (c) =>
      c.notNull().check(sql`procore_grant in ('own', 'company', 'none')`),
    )
    .addColumn('access_token_enc', 'text')
    .addColumn('refresh_token_enc', 'text')
    .addColumn('access_expires_at', 'timestamptz')
    .addColumn('key_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('check_claimed_until', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('ended_reason', 'text')
    .execute();
  await sql`create index app_sessions_company_idx on app_sessions (company_id) where ended_at is null`.execute(
    db,
  );

  await db.schema
    .alterTable('auth_handoffs')
    .addColumn('session_id', 'text', (c) => c.references('app_sessions.id').onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('auth_handoffs').dropColumn('session_id').execute();
  await db.schema.dropTable('app_sessions').ifExists().execute();
  await db.schema.alterTable('companies').dropColumn('session_epoch').execute();
}
