/** A worker as the user sync sees it, and what a sync writes to one (sync/decide.ts). */
export interface WorkerState {
  /** null for a worker this page will create. */
  id: string | null;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  payrollId: string | null;
  positionId: string | null;
  active: boolean;
  procoreUserId: string | null;
  procoreUpdatedAt: Date | null;
}

/** What a synced worker's row should hold, from Procore. */
export interface WorkerFields {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  payrollId: string | null;
  /** Only written when Sync Classifications is on. */
  positionId: string | null;
  procoreUpdatedAt: Date | null;
}
