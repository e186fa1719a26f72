// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on any schema version (Kysely's migration docs)
import { readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
} from 'kysely';
import { MIGRATIONS } from '../app-files';

/**
 * Loads every migration (`migrations/*.ts`, or their compiled `.mjs` when running from the bundle:
 * app-files.ts); Kysely runs them in name (timestamp) order.
 */
class MigrationFolder implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const { dir, extension } = MIGRATIONS;
    const files = (await readdir(dir))
      .filter((f) => f.endsWith(extension) && /^\d{8}T\d{6}_[a-z0-9_]+$/.test(f.slice(0, -extension.length)))
      .sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.slice(0, -extension.length)] = (await import(
        pathToFileURL(`${dir}${file}`).href
      )) as Migration;
    }
    return migrations;
  }
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; throws (never returns quietly) when one fails. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new MigrationFolder() });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationError(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`,
      results,
      { cause: error },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every migration in migrations/ has been applied (for /readyz). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new MigrationFolder() });
  const all = await migrator.getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
