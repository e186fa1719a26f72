import { AppError } from '../errors';
import { isProcoreError, type ProcoreError } from './errors';

/**
 * What a failed Procore call means for the app, decided once (procore-api.md §1.4, §8):
 *  - `uninstalled`: 403 "App is not connected to this company" — the company is disconnected;
 *  - `access`: our token or the service account was refused — an admin must reconnect or grant;
 *  - `transient`: rate limited or unavailable after the client's own retries — try again later;
 *  - `permanent`: Procore refused the request or sent what we cannot read — retrying won't help;
 *  - `interrupted`: the work was aborted (shutdown, or another process took the run over);
 *  - `unexpected`: not a Procore failure at all (a bug, a database error).
 * Procore errors carry messages already written for an admin (errors.ts); they are shown as is.
 */
export type FailureKind = 'uninstalled' | 'access' | 'transient' | 'permanent' | 'interrupted' | 'unexpected';

export interface Failure {
  kind: FailureKind;
  /** Whether trying the same thing again later may succeed. */
  retryable: boolean;
}

export function classifyFailure(err: unknown): Failure {
  if (isProcoreError(err)) return { kind: procoreKind(err), retryable: procoreKind(err) === 'transient' };
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'interrupted', retryable: true };
  return { kind: 'unexpected', retryable: true };
}

function procoreKind(err: ProcoreError): FailureKind {
  switch (err.code) {
    case 'not_connected':
      return 'uninstalled';
    case 'unauthorized':
    case 'forbidden':
      return 'access';
    case 'rate_limited':
    case 'unavailable':
      return 'transient';
    default:
      return 'permanent';
  }
}

export const INTERRUPTED_REASON = 'Interrupted by a restart; the next sync picks up where it left off';

/** The sentence a failed run (or a failed webhook change) shows in the logs. */
export function runFailureReason(err: unknown): string {
  const { kind } = classifyFailure(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (kind) {
    case 'uninstalled':
    case 'access':
      return `Procore refused access: ${message} Reconnect the app from the Connection page.`;
    case 'transient':
      return `${message} The next sync will pick up where this one stopped.`;
    case 'permanent':
      return message;
    case 'interrupted':
      return INTERRUPTED_REASON;
    default:
      return 'The sync stopped on an unexpected error; the next sync will pick up where this one stopped.';
  }
}

/**
 * What a run of any kind does when it fails: the reason above, logged for the operator, and the
 * failure handed to the company's owner (an uninstalled app disconnects the company).
 */
export function runFailurePolicy(
  deps: {
    log: { error(details: object, message: string): void };
    companies: { noteProcoreFailure(companyId: string, err: unknown): Promise<unknown> };
  },
  context: { companyId: string; runId: string },
  message: string,
): { reason(err: unknown): string; after(err: unknown): Promise<unknown> } {
  return {
    reason: runFailureReason,
    after: async (err) => {
      deps.log.error({ err, ...context }, message);
      await deps.companies.noteProcoreFailure(context.companyId, err);
    },
  };
}

/** A Procore failure met while answering a request: Procore's sentence, with a fitting status. */
export function procoreAppError(err: ProcoreError): AppError {
  switch (procoreKind(err)) {
    case 'uninstalled':
      return new AppError('not_connected', err.message, { cause: err });
    case 'transient':
      return new AppError('procore_unavailable', err.message, { cause: err });
    default:
      return new AppError('procore_refused', err.message, { cause: err });
  }
}
