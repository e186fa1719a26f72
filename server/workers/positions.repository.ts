import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database';

/**
 * Positions made from Procore work classifications (seed.md "Classifications"; procore-api.md §3):
 * one per classification, matched by `procore_classification_id`, else by name (a position the
 * admin created by hand with the same name is adopted rather than duplicated).
 */
export interface PositionRow {
  id: string;
  name: string;
  procore_classification_id: string | null;
}

export function listPositions(
  db: Kysely<Database>,
  companyId: string,
  order: 'id' | 'name' = 'id',
): Promise<PositionRow[]> {
  return db
    .selectFrom('positions')
    .select(['id', 'name', 'procore_classification_id'])
    .where('company_id', '=', companyId)
    .orderBy(order)
    .execute();
}

/**
 * Makes sure each classification has a position; returns classification id → position id for
 * every classification that now has one. Classifications without a known name are looked up
 * only among existing positions.
 */
export async function ensureClassificationPositions(
  trx: Transaction<Database>,
  companyId: string,
  wanted: Array<{ classificationId: string; name: string | undefined }>,
): Promise<{ byClassification: Map<string, string>; names: Map<string, string> }> {
  const positions = await listPositions(trx, companyId);
  const byClassification = new Map<string, string>();
  const byName = new Map<string, PositionRow>();
  const names = new Map<string, string>();
  for (const p of positions) {
    names.set(p.id, p.name);
    byName.set(p.name.toLowerCase(), p);
    if (p.procore_classification_id) byClassification.set(p.procore_classification_id, p.id);
  }
  for (const { classificationId, name } of wanted) {
    if (byClassification.has(classificationId)) continue;
    const trimmed = name?.trim();
    if (!trimmed) continue;
    const sameName = byName.get(trimmed.toLowerCase());
    if (sameName && sameName.procore_classification_id === null) {
      await trx
        .updateTable('positions')
        .set({ procore_classification_id: classificationId, updated_at: new Date() })
        .where('company_id', '=', companyId)
        .where('id', '=', sameName.id)
        .execute();
      sameName.procore_classification_id = classificationId;
      byClassification.set(classificationId, sameName.id);
      continue;
    }
    // Another classification already owns this name: keep both apart with the Procore id.
    const finalName = sameName ? `${trimmed} (${classificationId})` : trimmed;
    const row = await trx
      .insertInto('positions')
      .values({ company_id: companyId, name: finalName, procore_classification_id: classificationId })
      .returning(['id', 'name', 'procore_classification_id'])
      .executeTakeFirstOrThrow();
    byName.set(row.name.toLowerCase(), row);
    names.set(row.id, row.name);
    byClassification.set(classificationId, row.id);
  }
  return { byClassification, names };
}
