import { ConfigError, parseConfig } from '../config';
import { openDatabase } from './connect';
import { migrateToLatest } from './migrate';

/** `npm run db:migrate`: applies pending migrations, prints each, exits non-zero on failure. */
async function main(): Promise<number> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const handle = await openDatabase(config);
  try {
    const applied = await migrateToLatest(handle.db);
    for (const name of applied) console.log(`applied ${name}`);
    console.log(applied.length === 0 ? 'database is up to date' : `${applied.length} migration(s) applied`);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
