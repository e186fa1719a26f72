import { isProcoreError, ProcoreValidationError } from '../procore/errors';
import { classifyFailure } from '../procore/failure-policy';

/**
 * How a Procore failure met while sending one timesheet (or one project's) is told in the log.
 * Failures that concern the whole company (uninstalled, our token refused, the run aborted) stop
 * the run instead: every other timesheet would meet them too.
 */
export function rethrowIfRunStopping(err: unknown): void {
  const { kind } = classifyFailure(err);
  if (kind === 'uninstalled' || kind === 'interrupted' || kind === 'unexpected') throw err;
  if (isProcoreError(err) && err.code === 'unauthorized') throw err;
}

export type ReasonCode =
  | 'not_approved'
  | 'sub_workers_off'
  | 'deleted_in_app'
  | 'project_not_visible'
  | 'project_refused'
  | 'refused'
  | 'person_failed'
  | 'classification_failed'
  | 'unconfirmed'
  | 'unavailable'
  | 'worker_missing'
  | 'recreated';

export interface Reason {
  code: ReasonCode;
  text: string;
}

/** A project-wide refusal (403, or 404 for a project the app cannot see). */
export function projectRefusal(err: unknown, project: string): Reason {
  const message = err instanceof Error ? err.message : String(err);
  if (isProcoreError(err) && err.code === 'not_found') {
    return {
      code: 'project_not_visible',
      text: `Procore could not find ${project} for Worker Sync (404): add the app's service account to the project's directory, or check the project still exists.`,
    };
  }
  return {
    code: 'project_refused',
    text: `Procore refused timecards on ${project}: ${message} Check that the Timecard tool is enabled on the project and that Worker Sync's service account has Admin on the Timecard tool.`,
  };
}

/** One timesheet's failure, in words an admin can act on. */
export function entryFailure(err: unknown): Reason {
  if (err instanceof ProcoreValidationError) {
    const said = err.messages.length > 0 ? err.messages.join('; ') : err.message;
    return {
      code: 'refused',
      text: `Procore refused this timecard (422): ${said}. Correct the timesheet and send it again.`,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (classifyFailure(err).kind === 'transient') {
    return { code: 'unavailable', text: `${message} It goes out with the next send.` };
  }
  return { code: 'refused', text: message };
}

/** Is this a refusal of the whole project rather than of one entry? */
export function isProjectRefusal(err: unknown): boolean {
  return isProcoreError(err) && (err.code === 'forbidden' || err.code === 'not_found');
}
