import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import type { CompanySession } from '../procore/client';
import { ProcoreUnavailableError, ProcoreValidationError } from '../procore/errors';
import type { ProcorePerson } from '../procore/schemas';
import { setPositionClassification, setWorkerPerson, type WorkerForSend } from '../workers/workers.service';
import { rethrowIfRunStopping } from './send-failures';

/**
 * The two things a timecard entry needs besides the time: the worker's Procore person (its id is
 * the entry's `party_id`, procore-api.md §5.4) and, with user sync off, the work classification
 * for their position (§3). Each is found before it is made, so a retry, a crashed run or a second
 * process never makes two; what is found or made is kept on the worker or position, so later
 * sends ask Procore nothing.
 */

export type Resolved = { id: string } | { error: string };

const fullName = (w: WorkerForSend) => `${w.first_name} ${w.last_name}`;

interface PeopleIndex {
  byUser: Map<string, ProcorePerson>;
  byOrigin: Map<string, ProcorePerson>;
}

function index(into: PeopleIndex, people: Iterable<ProcorePerson>): PeopleIndex {
  for (const p of people) {
    // An active person wins over an inactive one with the same key (the active list is read first).
    if (p.user_id && !into.byUser.has(p.user_id)) into.byUser.set(p.user_id, p);
    if (p.origin_id && !into.byOrigin.has(p.origin_id)) into.byOrigin.set(p.origin_id, p);
  }
  return into;
}

async function collect(pages: AsyncIterable<ProcorePerson>): Promise<ProcorePerson[]> {
  const out: ProcorePerson[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

const known = (people: PeopleIndex, w: WorkerForSend) =>
  w.procore_user_id ? people.byUser.has(w.procore_user_id) : people.byOrigin.has(w.id);

/**
 * The company's people, active first; the inactive list only when someone is still missing. A
 * person deactivated in Procore keeps its `origin_id`, and Procore's active list leaves it out:
 * without the second read a worker whose contact was deactivated would get a second contact.
 */
async function readPeople(
  procore: CompanySession,
  signal: AbortSignal,
  workers: readonly WorkerForSend[],
  search?: string,
): Promise<PeopleIndex> {
  const people = index(
    { byUser: new Map(), byOrigin: new Map() },
    await collect(procore.listPeople({ signal, search })),
  );
  if (workers.every((w) => known(people, w))) return people;
  return index(people, await collect(procore.listInactivePeople({ signal, search })));
}

/**
 * Workers without a known person: a Procore user's person is looked up by `user_id`; a local
 * worker's by `origin_id` (the worker's id), and made as a reference user (full name, payroll ID
 * as `employee_id`) when there is none, active or inactive. One read of the company's people
 * serves them all. A person found deactivated is used as it is: whether it is active in Procore is
 * the Procore admin's decision, and its entries still belong to it.
 */
export async function resolvePeople(
  db: Kysely<Database>,
  procore: CompanySession,
  companyId: string,
  workers: readonly WorkerForSend[],
  signal: AbortSignal,
): Promise<Map<string, Resolved>> {
  const out = new Map<string, Resolved>();
  if (workers.length === 0) return out;
  const people = await readPeople(procore, signal, workers);
  for (const w of workers) {
    let personId: string | null = null;
    if (w.procore_user_id) {
      const person = people.byUser.get(w.procore_user_id);
      if (!person) {
        out.set(w.id, {
          error: `${fullName(w)}'s Procore user has no person in the company directory; check them in Procore's Directory.`,
        });
        continue;
      }
      personId = person.id;
    } else {
      personId = people.byOrigin.get(w.id)?.id ?? null;
      if (!personId) {
        try {
          personId = (
            await procore.createPerson(
              {
                first_name: w.first_name,
                last_name: w.last_name,
                employee_id: w.payroll_id,
                origin_id: w.id,
              },
              { signal },
            )
          ).id;
        } catch (err) {
          rethrowIfRunStopping(err);
          if (err instanceof ProcoreUnavailableError && err.mayHaveApplied) {
            // The create may have landed: look before anyone makes a second one.
            personId = (await readPeople(procore, signal, [w], w.last_name)).byOrigin.get(w.id)?.id ?? null;
          }
          if (!personId) {
            out.set(w.id, {
              error: `${fullName(w)} could not be made a Procore contact: ${(err as Error).message}`,
            });
            continue;
          }
        }
      }
    }
    await setWorkerPerson(db, companyId, w.id, personId);
    out.set(w.id, { id: personId });
  }
  return out;
}

/**
 * Positions without a classification (user sync off): an existing classification with the same
 * name, case-insensitive, else a new one, made once.
 */
export async function resolveClassifications(
  db: Kysely<Database>,
  procore: CompanySession,
  companyId: string,
  positions: ReadonlyArray<{ id: string; name: string }>,
  signal: AbortSignal,
): Promise<Map<string, Resolved>> {
  const out = new Map<string, Resolved>();
  if (positions.length === 0) return out;
  const read = async () => {
    const byName = new Map<string, string>();
    for await (const c of procore.listWorkClassifications({ signal }))
      byName.set(c.name.trim().toLowerCase(), c.id);
    return byName;
  };
  let byName = await read();
  for (const p of positions) {
    const key = p.name.trim().toLowerCase();
    let id = byName.get(key) ?? null;
    if (!id) {
      try {
        id = (await procore.createWorkClassification({ name: p.name.trim() }, { signal })).id;
      } catch (err) {
        rethrowIfRunStopping(err);
        const mayExist =
          err instanceof ProcoreValidationError ||
          (err instanceof ProcoreUnavailableError && err.mayHaveApplied);
        if (mayExist) {
          // Someone made it meanwhile (422 on a duplicate name), or our create landed unanswered.
          byName = await read();
          id = byName.get(key) ?? null;
        }
        if (!id) {
          out.set(p.id, {
            error: `The position "${p.name}" could not be made a Procore work classification: ${(err as Error).message}`,
          });
          continue;
        }
      }
      byName.set(key, id);
    }
    await setPositionClassification(db, companyId, p.id, id);
    out.set(p.id, { id });
  }
  return out;
}
