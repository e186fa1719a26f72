import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CompaniesService } from '../companies/companies.service';
import type { Database } from '../db/database';
import type { HooksService } from '../webhooks/hooks.service';
import * as repo from './alerts.repository';
import type { Alert } from './alerts.schemas';
import { currentAlerts } from './conditions';
import type { Mailer } from './mailer';
import { problemCleared, problemStarted } from './messages';

/**
 * Alerts (README "Alerts"): a company's problems as they stand (the banner), and the e-mails to
 * its admins — one when a problem starts, one when it clears, none in between. Evaluating
 * compares the problems now with the ones announced (`company_alerts`: one open row per company
 * and kind of problem, inserted under a unique index, so two processes never announce one twice),
 * then sends the e-mails due, each claimed by one process and marked sent after the SMTP server
 * took it (a send that fails is tried again at the next evaluation).
 */
export interface AlertsDeps {
  db: Kysely<Database>;
  companies: Pick<CompaniesService, 'find' | 'listConnectedIds'>;
  hooks: Pick<HooksService, 'status'>;
  mailer: Mailer;
  log: FastifyBaseLogger;
  now: () => Date;
}

/** How long one process holds an e-mail it is sending before another may take it over. */
const NOTICE_CLAIM_MS = 2 * 60_000;

export interface Evaluation {
  alerts: Alert[];
  opened: string[];
  resolved: string[];
  /** E-mails handed to the SMTP server (or the outbox). */
  sent: number;
}

export interface AdminSignIn {
  companyId: string;
  procoreUserId: string;
  name: string;
  /** Procore's login for the person: their e-mail. */
  email: string;
  isAdmin: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createAlertsService(deps: AlertsDeps) {
  const { db, log } = deps;

  const current = (companyId: string) => currentAlerts(deps, companyId, deps.now());

  async function sendNotices(companyId: string, companyName: string): Promise<number> {
    let sent = 0;
    for (const due of await repo.listNoticesDue(db, companyId)) {
      const now = deps.now();
      const row = await repo.claimNotice(
        db,
        companyId,
        due.id,
        now,
        new Date(now.getTime() + NOTICE_CLAIM_MS),
      );
      if (!row) continue; // another process is sending it
      if (row.start_notice_at === null && row.resolved_at !== null) {
        // It came and went before anyone was told: neither e-mail is worth sending now.
        await repo.settleNotice(db, companyId, row.id, { start: now, resolve: now });
        continue;
      }
      const starting = row.start_notice_at === null;
      const to = (await repo.listRecipients(db, companyId)).map((r) => r.email);
      if (to.length > 0 && deps.mailer.mode !== 'off') {
        const message = starting
          ? problemStarted(companyName, row, to)
          : problemCleared(companyName, row, to);
        try {
          await deps.mailer.send(message);
          sent++;
        } catch (err) {
          log.warn({ err, companyId, alert: row.code }, 'alert e-mail could not be sent: trying again later');
          await repo.releaseNotice(db, companyId, row.id);
          continue;
        }
      }
      log.info(
        { companyId, alert: row.code, notice: starting ? 'started' : 'cleared', recipients: to.length },
        to.length > 0 && deps.mailer.mode !== 'off'
          ? 'alert e-mail sent'
          : 'alert e-mail not sent: no admin e-mail known, or no SMTP_URL',
      );
      await repo.settleNotice(db, companyId, row.id, starting ? { start: now } : { resolve: now });
    }
    return sent;
  }

  return {
    /** The company's problems now (the banner). */
    current,

    /** Compares the problems now with those announced, and sends the e-mails due. */
    async evaluate(companyId: string): Promise<Evaluation> {
      const company = await deps.companies.find(companyId);
      if (!company) return { alerts: [], opened: [], resolved: [], sent: 0 };
      const alerts = await current(companyId);
      const open = await repo.listOpenAlerts(db, companyId);
      const at = deps.now();
      const opened: string[] = [];
      const resolved: string[] = [];
      for (const alert of alerts) {
        if (open.some((o) => o.code === alert.code)) continue;
        if (await repo.openAlert(db, companyId, { ...alert, at })) opened.push(alert.code);
      }
      // While disconnected that is the only problem shown, but the others have not cleared: they
      // stay open, to be resolved (and said so) only once they really have.
      const disconnected = alerts.some((a) => a.code === 'disconnected');
      for (const row of open) {
        if (alerts.some((a) => a.code === row.code)) continue;
        if (disconnected) continue;
        if (await repo.resolveAlert(db, companyId, row.id, at)) resolved.push(row.code);
      }
      if (opened.length > 0 || resolved.length > 0)
        log.info({ companyId, opened, resolved }, 'company alerts changed');
      const sent = await sendNotices(companyId, company.name);
      return { alerts, opened, resolved, sent };
    },

    /** Every company whose alerts may change: the connected ones, and those with a problem open. */
    async companiesToWatch(): Promise<string[]> {
      const ids = new Set(await deps.companies.listConnectedIds());
      for (const id of await repo.listCompaniesWithAlerts(db)) ids.add(id);
      return [...ids];
    },

    /**
     * Who the e-mails go to: every company admin who signed in, with the e-mail Procore gave for
     * them; a person who signs in without admin rights any more stops getting them.
     */
    async noteSignIn(person: AdminSignIn): Promise<void> {
      const email = person.email.trim();
      if (person.isAdmin && EMAIL.test(email)) {
        await repo.upsertRecipient(db, { ...person, email, at: deps.now() });
      } else {
        await repo.removeRecipient(db, person.companyId, person.procoreUserId);
      }
    },

    recipients: (companyId: string) => repo.listRecipients(db, companyId),

    /** The sandbox's outbox (empty unless sandbox mode keeps e-mails instead of sending them). */
    outbox: () => deps.mailer.outbox(),
    outboxEnabled: deps.mailer.mode === 'outbox',
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;

export { purgeResolvedAlerts } from './alerts.repository';
