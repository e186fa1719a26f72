import type { Kysely } from 'kysely';
import { type CompaniesService, type Company, UNINSTALLED_REASON } from '../companies/companies.service';
import type { Database } from '../db/database';
import { findFailingAutoRun, findLastWorkedRun, findWaitingReview } from '../runs/runs.service';
import { deliveryHealth } from '../webhooks/deliveries.service';
import type { HooksService } from '../webhooks/hooks.service';
import type { Alert } from './alerts.schemas';

/**
 * A company's problems as they stand now, each read from the folder that owns its records: the
 * company's connection (companies/), its runs (runs/), its webhook changes and hook (webhooks/).
 * Nothing here is stored: the banner shows exactly this, and `alerts.service.ts` compares it with
 * the problems it has announced.
 */
export interface ConditionDeps {
  db: Kysely<Database>;
  companies: Pick<CompaniesService, 'find'>;
  hooks: Pick<HooksService, 'status'>;
}

/** Webhook changes that failed this long ago or less are a problem (unless caught up since). */
export const WEBHOOK_FAILURE_WINDOW_MS = 24 * 60 * 60_000;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function currentAlerts(deps: ConditionDeps, companyId: string, now: Date): Promise<Alert[]> {
  const company = await deps.companies.find(companyId);
  if (!company) return [];
  // Disconnected, nothing else runs: the one thing to do is to connect again.
  if (company.connection_state === 'disconnected') return [disconnected(company)];

  const { db } = deps;
  const alerts: Alert[] = [];
  const failedSync = await findFailingAutoRun(db, companyId, 'users');
  if (failedSync) {
    alerts.push({
      code: 'auto_sync_failed',
      severity: 'error',
      title: 'The last Autosync failed.',
      detail: `${failedSync.status_reason ?? 'No reason was recorded.'} Autosync tries again next hour; a company admin can press Sync to try now.`,
      at: iso(failedSync.finished_at),
      action: { kind: 'run', label: 'See the failed sync', runId: failedSync.id },
    });
  }
  const failedSend = await findFailingAutoRun(db, companyId, 'timesheets');
  if (failedSend) {
    alerts.push({
      code: 'auto_send_failed',
      severity: 'error',
      title: 'The last hourly timesheet send failed.',
      detail: `${failedSend.status_reason ?? 'No reason was recorded.'} Timesheets are sent again next hour.`,
      at: iso(failedSend.finished_at),
      action: { kind: 'timesheet_run', label: 'See the failed send', runId: failedSend.id },
    });
  }

  const health = await deliveryHealth(db, companyId, new Date(now.getTime() - WEBHOOK_FAILURE_WINDOW_MS));
  if (health.failed > 0 && health.lastFailedAt) {
    // A change applied, or a sync that worked, after the last failure has caught up with it.
    const lastSync = await findLastWorkedRun(db, companyId, 'users');
    const caughtUp = [health.lastAppliedAt, lastSync?.finished_at].some(
      (d) => d && d.getTime() > health.lastFailedAt!.getTime(),
    );
    if (!caughtUp) {
      alerts.push({
        code: 'webhooks_failing',
        severity: 'error',
        title: 'Changes from Procore are not being applied.',
        detail:
          `${plural(health.failed, 'change')} Procore sent in the last 24 hours could not be applied; ` +
          'the next Sync or Autosync catches up.' +
          (health.lastFailureReason ? ` Last failure: ${health.lastFailureReason}` : ''),
        at: iso(health.lastFailedAt),
        action: { kind: 'sync', label: 'Sync now' },
      });
    }
  }

  if ((await deps.hooks.status(companyId)) === 'missing') {
    alerts.push({
      code: 'webhook_missing',
      severity: 'warning',
      title: 'Procore is not sending changes to Worker Sync.',
      detail:
        "Worker Sync's webhook is not set up in Procore, so changes wait for the next Sync or Autosync. " +
        'It is set up again every hour; a company admin can do it now on the Connection page.',
      at: null,
      action: { kind: 'connection', label: 'Open Connection' },
    });
  }

  const review = await findWaitingReview(db, companyId);
  if (review) {
    alerts.push({
      code: 'review_waiting',
      severity: 'warning',
      title: 'A sync is waiting for a review.',
      detail: review.status_reason ?? 'A company admin must confirm or cancel its deactivations.',
      at: iso(review.finished_at),
      action: { kind: 'run', label: 'Review it', runId: review.id },
    });
  }
  return alerts;
}

function disconnected(company: Company): Alert {
  const paused = 'Syncs, Autosync and changes from Procore are paused; workers and logs are kept.';
  const uninstalled = company.disconnect_reason === UNINSTALLED_REASON;
  return {
    code: 'disconnected',
    severity: 'error',
    title: uninstalled
      ? `Worker Sync was uninstalled from ${company.name} in Procore.`
      : `Worker Sync is disconnected from ${company.name}.`,
    detail: uninstalled
      ? `${paused} A company admin installs it again from the Procore App Marketplace, then connects it.`
      : `${company.disconnect_reason ?? ''} ${paused} A company admin connects it again to resume.`.trim(),
    at: iso(company.disconnected_at),
    action: { kind: 'reconnect', label: 'Connect again' },
  };
}
