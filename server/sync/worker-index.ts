import type { WorkerState } from '../workers/workers.service';

/**
 * The workers a page of users could touch, indexed the three ways the rules match them
 * (design.md "Matching and rules": by Procore user id; on first sight by email or phone). The
 * decisions of one page update it as they are made, so the second of two users sharing a phone in
 * the same page sees the first one's worker before anything is written.
 */

export type { WorkerState };

export function workerName(w: Pick<WorkerState, 'firstName' | 'lastName'>): string {
  return `${w.firstName} ${w.lastName}`.trim();
}

const NONE: ReadonlySet<WorkerState> = new Set();

export class WorkerIndex {
  private readonly byUser = new Map<string, WorkerState>();
  private readonly byEmail = new Map<string, Set<WorkerState>>();
  private readonly byPhone = new Map<string, Set<WorkerState>>();

  constructor(workers: Iterable<WorkerState> = []) {
    for (const w of workers) this.add(w);
  }

  add(worker: WorkerState): void {
    if (worker.procoreUserId) this.byUser.set(worker.procoreUserId, worker);
    if (worker.email) bucket(this.byEmail, worker.email.toLowerCase()).add(worker);
    if (worker.phone) bucket(this.byPhone, worker.phone).add(worker);
  }

  /** Applies a change to a worker and keeps the indexes right. */
  update(worker: WorkerState, patch: Partial<WorkerState>): void {
    this.remove(worker);
    Object.assign(worker, patch);
    this.add(worker);
  }

  linkedTo(procoreUserId: string): WorkerState | undefined {
    return this.byUser.get(procoreUserId);
  }

  /** Read-only views, not copies: most users match nobody, and a page asks for every one. */
  withEmail(email: string): ReadonlySet<WorkerState> {
    return this.byEmail.get(email.toLowerCase()) ?? NONE;
  }

  withPhone(phone: string): ReadonlySet<WorkerState> {
    return this.byPhone.get(phone) ?? NONE;
  }

  private remove(worker: WorkerState): void {
    if (worker.procoreUserId && this.byUser.get(worker.procoreUserId) === worker) {
      this.byUser.delete(worker.procoreUserId);
    }
    if (worker.email) this.byEmail.get(worker.email.toLowerCase())?.delete(worker);
    if (worker.phone) this.byPhone.get(worker.phone)?.delete(worker);
  }
}

function bucket<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
