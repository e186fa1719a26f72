import type { Kysely } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Database, WorkerUpdate } from '../db/database';
import { AppError, conflict, invalidInput, notFound } from '../errors';
import { findLastWorkedRun } from '../runs/runs.service';
import { getSettings } from '../settings/settings.service';
import * as repo from './local-workers.repository';
import type { Position, Worker, WorkerPatch } from './workers.schemas';

/**
 * Workers who are no Procore user (seed.md "Contacts": the app is their source of truth), and
 * positions made in the app (seed.md "Classifications": when user sync is off). A worker that
 * came from Procore keeps the fields Procore owns read-only; the next user sync would undo them.
 */

export interface LocalWorkerInput {
  firstName: string;
  lastName: string;
  phone: string;
  email: string | null;
  payrollId: string | null;
  positionId: string | null;
}

/** A phone as typed → E.164; a number without a country code is read as a US number. */
export function phoneToE164(raw: string): string {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'US');
  if (!parsed?.isValid()) throw invalidInput(`"${raw}" is not a valid phone number.`);
  return parsed.number;
}

/**
 * When a user sync last checked the company's workers against Procore: the end of the newest
 * manual or hourly run that worked. A run writes only the workers that changed, so a worker from
 * Procore was last synced at that time or when a run last wrote it, whichever is later.
 */
export async function lastCheckedAt(db: Kysely<Database>, companyId: string): Promise<Date | null> {
  return (await findLastWorkedRun(db, companyId, 'users'))?.finished_at ?? null;
}

export function lastSyncedAt(
  row: Pick<repo.WorkerRow, 'procore_user_id' | 'last_synced_at'>,
  checkedAt: Date | null,
): string | null {
  const written = row.last_synced_at;
  const at = row.procore_user_id && checkedAt && (!written || checkedAt > written) ? checkedAt : written;
  return at?.toISOString() ?? null;
}

export function workerToApi(
  row: repo.WorkerRow,
  positionName: string | null,
  checkedAt: Date | null,
): Worker {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    payrollId: row.payroll_id,
    position: row.position_id && positionName ? { id: row.position_id, name: positionName } : null,
    active: row.active,
    deactivatedReason: row.deactivated_reason,
    source: row.source,
    procoreUserId: row.procore_user_id,
    lastSyncedAt: lastSyncedAt(row, checkedAt),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function positionName(db: Kysely<Database>, companyId: string, positionId: string | null) {
  if (!positionId) return null;
  const position = await repo.findPosition(db, companyId, positionId);
  if (!position) throw invalidInput('That position does not exist in this company.');
  return position.name;
}

async function assertPhoneFree(
  db: Kysely<Database>,
  companyId: string,
  phone: string,
  exceptId: string | null,
): Promise<void> {
  const holder = await repo.findActiveWorkerByPhone(db, companyId, phone, exceptId);
  if (holder) {
    throw conflict(
      `${phone} is already the phone of ${holder.first_name} ${holder.last_name}, an active worker. Each active worker needs a phone of their own.`,
    );
  }
}

export async function createLocalWorker(
  db: Kysely<Database>,
  companyId: string,
  input: LocalWorkerInput,
): Promise<Worker> {
  const phone = phoneToE164(input.phone);
  const name = await positionName(db, companyId, input.positionId);
  const row = await db.transaction().execute(async (trx) => {
    await repo.lockCompanyPhones(trx, companyId);
    await assertPhoneFree(trx, companyId, phone, null);
    return repo.insertLocalWorker(trx, companyId, {
      first_name: input.firstName,
      last_name: input.lastName,
      email: input.email,
      phone,
      payroll_id: input.payrollId,
      position_id: input.positionId,
    });
  });
  return workerToApi(row, name, null);
}

const PROCORE_OWNED: ReadonlyArray<[keyof WorkerPatch, string]> = [
  ['firstName', 'first name'],
  ['lastName', 'last name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['payrollId', 'payroll ID'],
  ['active', 'status'],
];

export async function updateWorker(
  db: Kysely<Database>,
  companyId: string,
  workerId: string,
  patch: Omit<WorkerPatch, 'email' | 'payrollId' | 'positionId'> & {
    email?: string | null;
    payrollId?: string | null;
    positionId?: string | null;
  },
): Promise<Worker> {
  const current = await repo.findWorker(db, companyId, workerId);
  if (!current) throw notFound('Worker');
  if (current.source === 'procore_user') {
    const owned = PROCORE_OWNED.filter(([k]) => patch[k] !== undefined).map(([, label]) => label);
    if (owned.length > 0) {
      throw new AppError(
        'conflict',
        `This worker comes from Procore: change their ${owned.join(', ')} in Procore's Directory; the next user sync brings it here.`,
      );
    }
    if (patch.positionId !== undefined) {
      const settings = await getSettings(db, companyId);
      if (settings.userSyncEnabled && settings.syncClassifications) {
        throw conflict(
          "Sync Classifications is on, so this worker's position follows their Procore classification.",
        );
      }
    }
  }
  const set: WorkerUpdate = {};
  if (patch.firstName !== undefined) set.first_name = patch.firstName;
  if (patch.lastName !== undefined) set.last_name = patch.lastName;
  if (patch.email !== undefined) set.email = patch.email;
  if (patch.payrollId !== undefined) set.payroll_id = patch.payrollId;
  if (patch.positionId !== undefined) set.position_id = patch.positionId;
  if (patch.phone !== undefined) set.phone = phoneToE164(patch.phone);
  if (patch.active !== undefined) {
    set.active = patch.active;
    set.deactivated_reason = patch.active ? null : 'Deactivated in the app';
  }
  await positionName(db, companyId, patch.positionId ?? null);
  const row = await db.transaction().execute(async (trx) => {
    const phone = set.phone ?? current.phone;
    const willBeActive = set.active ?? current.active;
    if (phone && willBeActive && (set.phone !== undefined || (set.active && !current.active))) {
      await repo.lockCompanyPhones(trx, companyId);
      await assertPhoneFree(trx, companyId, phone as string, workerId);
    }
    return repo.updateWorkerRow(trx, companyId, workerId, set);
  });
  if (!row) throw notFound('Worker');
  return workerToApi(
    row,
    await positionName(db, companyId, row.position_id),
    await lastCheckedAt(db, companyId),
  );
}

async function assertPositionsEditable(db: Kysely<Database>, companyId: string): Promise<void> {
  const settings = await getSettings(db, companyId);
  if (settings.userSyncEnabled) {
    throw conflict(
      'Positions come from Procore while user sync is on. Turn user sync off to keep positions in the app; they then go to Procore as classifications on timecards.',
    );
  }
}

async function assertNameFree(
  db: Kysely<Database>,
  companyId: string,
  name: string,
  exceptId: string | null,
) {
  const same = await repo.findPositionByName(db, companyId, name);
  if (same && same.id !== exceptId) throw conflict(`There is already a position named "${same.name}".`);
}

export async function createPosition(
  db: Kysely<Database>,
  companyId: string,
  name: string,
): Promise<Position> {
  await assertPositionsEditable(db, companyId);
  await assertNameFree(db, companyId, name, null);
  const row = await repo.insertPosition(db, companyId, name);
  return { id: row.id, name: row.name, fromProcore: false };
}

export async function renamePosition(
  db: Kysely<Database>,
  companyId: string,
  positionId: string,
  name: string,
): Promise<Position> {
  await assertPositionsEditable(db, companyId);
  await assertNameFree(db, companyId, name, positionId);
  const row = await repo.renamePositionRow(db, companyId, positionId, name);
  if (!row) throw notFound('Position');
  return { id: row.id, name: row.name, fromProcore: false };
}
