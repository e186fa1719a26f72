import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import {
  type CompaniesService,
  type Company,
  disconnectedMessage,
  UNINSTALLED_REASON,
} from '../companies/companies.service';
import type { Config } from '../config';
import type { AdminRule, Database, ProcoreGrant } from '../db/database';
import { AppError } from '../errors';
import type { ProcoreClient } from '../procore/client';
import { ProcoreUnauthorizedError } from '../procore/errors';
import { classifyFailure } from '../procore/failure-policy';
import { decryptSecret, encryptSecret, type Keyring, keyringFromSecret } from '../security/encryption';
import { readCompanyAccess } from './company-access';
import type { SessionContext } from './request-context';
import { hashSecret, issueSession, newOneTimeSecret, sessionKey, type VerifiedSession } from './session';
import * as repo from './sessions.repository';

/**
 * Sign-ins that survive a reload, last while the page is in use, and end when they should
 * (README, "Sessions").
 *
 * A sign-in is a row reached by an opaque **refresh handle** (random, stored as a hash). The frame
 * holds the handle in a partitioned cookie (CHIPS) and, where the browser gives it storage, in
 * sessionStorage; with it, it gets a fresh session token before the current one runs out, and
 * after a reload. The handle lapses after `HANDLE_IDLE_MS` without a renewal and `SIGN_IN_MAX_MS`
 * after the sign-in, whichever comes first.
 *
 * Every token carries the company's session epoch: Disconnect and an uninstall bump it, so the
 * `/api` scope refuses every session of the company at its next request (`gate`). A renewal asks
 * Procore again, at most every `config.session.recheckSeconds`, whether the person is still in the
 * company and still an admin, with the person's own Procore grant (kept encrypted on the row).
 */
const HANDLE_IDLE_MS = 8 * 60 * 60 * 1000;
const SIGN_IN_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** A re-check that has not finished in this long may be taken over by another renewal. */
const CHECK_CLAIM_MS = 60_000;

export type GrantInput =
  | { kind: 'own'; accessToken: string; refreshToken: string | null; expiresIn: number }
  | { kind: 'company' }
  | { kind: 'none' };

export interface SessionStart {
  companyId: string;
  procoreUserId: string;
  userName: string;
  isAdmin: boolean;
  adminRule: AdminRule;
  grant: GrantInput;
}

export interface FrameSession {
  token: string;
  expiresAt: Date;
  companyId: string;
  userName: string;
  isAdmin: boolean;
  /** The refresh handle: given once, when the one-time code is traded; renewals keep it. */
  handle?: string;
  /** When the handle lapses unless it is used again (the cookie's lifetime). */
  handleExpiresAt: Date;
}

export interface SessionsDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'appSecret' | 'previousAppSecrets' | 'session'>;
  procore: Pick<ProcoreClient, 'oauth' | 'tokens' | 'withAccessToken'>;
  companies: Pick<CompaniesService, 'find' | 'noteProcoreFailure'>;
  log: FastifyBaseLogger;
  now: () => Date;
}

const NO_SESSION = 'There is no Worker Sync session to resume here. Connect to Procore to continue.';
const RAN_OUT =
  'Your Worker Sync session ran out after a long time without use. Connect to Procore again to continue.';

export function createSessionsService(deps: SessionsDeps) {
  const { db, config, procore, companies, log } = deps;
  const key = sessionKey(config.appSecret);
  const keyring: Keyring = keyringFromSecret(config.appSecret, config.previousAppSecrets);
  const ttlSeconds = config.session.ttlSeconds;
  const recheckMs = config.session.recheckSeconds * 1000;

  const sealContext = (id: string, part: 'access' | 'refresh') => `app_sessions:${id}:${part}`;

  function seal(id: string, t: { accessToken: string; refreshToken: string | null; expiresIn: number }) {
    return {
      accessTokenEnc: encryptSecret(keyring, t.accessToken, sealContext(id, 'access')),
      refreshTokenEnc: t.refreshToken
        ? encryptSecret(keyring, t.refreshToken, sealContext(id, 'refresh'))
        : null,
      accessExpiresAt: new Date(deps.now().getTime() + t.expiresIn * 1000),
      keyId: keyring.current.id,
    };
  }

  /** Why a session of this company (issued under `epoch`) may not be used; null when it may. */
  function refusalFor(company: Company | undefined, epoch: number): string | null {
    if (!company) return 'Worker Sync is not connected to this company. Connect to Procore to continue.';
    if (company.connection_state !== 'connected') {
      return company.disconnect_reason === UNINSTALLED_REASON
        ? `Worker Sync was uninstalled from ${company.name} in Procore. A company admin has to install it from the Procore App Marketplace and connect it again.`
        : disconnectedMessage(company.name);
    }
    if (company.session_epoch !== epoch) {
      return `Worker Sync was disconnected from ${company.name} and connected again since you signed in. Connect to Procore to continue.`;
    }
    return null;
  }

  async function issue(row: repo.SessionRow, isAdmin: boolean, now: Date): Promise<FrameSession> {
    const session: SessionContext = {
      companyId: row.company_id,
      procoreUserId: row.procore_user_id,
      userName: row.user_name,
      isAdmin,
    };
    const issued = await issueSession(
      key,
      { ...session, epoch: row.company_epoch, sessionId: row.id },
      now,
      ttlSeconds,
    );
    const idleEnd = now.getTime() + HANDLE_IDLE_MS;
    return {
      token: issued.token,
      expiresAt: issued.expiresAt,
      companyId: session.companyId,
      userName: session.userName,
      isAdmin,
      handleExpiresAt: new Date(Math.min(idleEnd, row.expires_at.getTime())),
    };
  }

  /** Revokes the sign-in's own Procore grant (access and refresh token, procore-api.md §1.2). */
  async function revokeGrant(row: {
    id: string;
    access_token_enc: string | null;
    refresh_token_enc: string | null;
  }): Promise<void> {
    try {
      const token = row.refresh_token_enc
        ? decryptSecret(keyring, row.refresh_token_enc, sealContext(row.id, 'refresh'))
        : row.access_token_enc
          ? decryptSecret(keyring, row.access_token_enc, sealContext(row.id, 'access'))
          : null;
      if (token) await procore.oauth.revoke(token);
    } catch (err) {
      log.warn({ err, sessionId: row.id }, "could not revoke a sign-in's Procore grant");
    }
  }

  async function end(row: repo.SessionRow, reason: string): Promise<void> {
    await revokeGrant(row);
    await repo.endSession(db, row.id, reason, deps.now());
  }

  /** An access token that acts as the person, refreshed (and rotated) when it is about to expire. */
  async function personToken(row: repo.SessionRow): Promise<string | null> {
    if (row.procore_grant === 'company') return procore.tokens.userAccessToken(row.company_id);
    if (row.procore_grant !== 'own') return null;
    const now = deps.now().getTime();
    if (row.access_token_enc && row.access_expires_at && row.access_expires_at.getTime() - now > 60_000) {
      return decryptSecret(keyring, row.access_token_enc, sealContext(row.id, 'access'));
    }
    if (!row.refresh_token_enc) {
      throw new ProcoreUnauthorizedError('This sign-in has no Procore refresh token left.');
    }
    // Only the renewal holding the check claim gets here, so one refresh token is spent once.
    const res = await procore.oauth.refresh(
      decryptSecret(keyring, row.refresh_token_enc, sealContext(row.id, 'refresh')),
    );
    const tokens = {
      accessToken: res.access_token,
      refreshToken: res.refresh_token ?? null,
      expiresIn: res.expires_in,
    };
    await repo.saveTokens(db, row.id, seal(row.id, tokens));
    return tokens.accessToken;
  }

  type Recheck = { kind: 'ok'; isAdmin: boolean } | { kind: 'refused'; reason: string } | { kind: 'skipped' };

  /** Is the person still in the company, and still an admin? Asked of Procore as the person. */
  async function recheck(
    row: repo.SessionRow,
    company: Company,
    requestLog: FastifyBaseLogger,
  ): Promise<Recheck> {
    const companyId = row.company_id;
    try {
      const token = await personToken(row);
      if (token === null) return { kind: 'skipped' };
      const person = procore.withAccessToken(token);
      const me = await person.me();
      const visible = await person.companies().toArray();
      if (me.id !== row.procore_user_id || !visible.some((c) => c.id === companyId)) {
        return {
          kind: 'refused',
          reason: `Procore no longer lists ${row.user_name} in ${company.name}, so this Worker Sync session has ended. Ask a company admin if you still need access.`,
        };
      }
      const access = await readCompanyAccess(
        person.forCompany(companyId),
        { id: row.procore_user_id, name: row.user_name, login: me.login ?? '' },
        requestLog,
      );
      await repo.saveCheck(db, row.id, { isAdmin: access.isAdmin, adminRule: access.rule, now: deps.now() });
      if (access.isAdmin !== row.is_admin) {
        requestLog.info(
          { companyId, procoreUserId: row.procore_user_id, isAdmin: access.isAdmin, rule: access.rule },
          'company admin rights changed in Procore',
        );
      }
      return { kind: 'ok', isAdmin: access.isAdmin };
    } catch (err) {
      const { kind } = classifyFailure(err);
      if (kind === 'uninstalled') {
        await companies.noteProcoreFailure(companyId, err);
        return {
          kind: 'refused',
          reason: refusalFor(await companies.find(companyId), row.company_epoch) ?? UNINSTALLED_REASON,
        };
      }
      if (kind === 'access' || kind === 'permanent') {
        requestLog.info(
          { err, companyId, procoreUserId: row.procore_user_id },
          'Procore refused a session renewal',
        );
        return {
          kind: 'refused',
          reason: `Procore no longer accepts ${row.user_name}'s sign-in to Worker Sync for ${company.name}. Connect to Procore again to continue.`,
        };
      }
      // Procore unreachable (or a bug): keep the person working on what Procore said last time,
      // and ask again at the next renewal.
      requestLog.warn(
        { err, companyId },
        'could not re-check access in Procore at renewal; trying next time',
      );
      await repo.releaseCheck(db, row.id);
      return { kind: 'skipped' };
    }
  }

  return {
    /** Records a sign-in (the OAuth callback's outcome); the frame gets it through a one-time code. */
    async start(input: SessionStart): Promise<string> {
      const id = randomUUID();
      const now = deps.now();
      // Each sign-in sweeps away long-gone ones (a day past their end), revoking any Procore grant
      // a lapsed one still holds: no schedule needed for so little.
      const dayAgo = now.getTime() - 24 * 60 * 60 * 1000;
      const gone = await repo.listPurgeable(db, new Date(dayAgo), new Date(dayAgo - HANDLE_IDLE_MS));
      await Promise.all(gone.filter((row) => row.access_token_enc).map((row) => revokeGrant(row)));
      await repo.deleteSessions(
        db,
        gone.map((row) => row.id),
      );
      const company = await companies.find(input.companyId);
      await repo.insertSession(db, {
        id,
        companyId: input.companyId,
        companyEpoch: company?.session_epoch ?? 0,
        procoreUserId: input.procoreUserId,
        userName: input.userName,
        isAdmin: input.isAdmin,
        adminRule: input.adminRule,
        grant: input.grant.kind as ProcoreGrant,
        tokens: input.grant.kind === 'own' ? seal(id, input.grant) : null,
        expiresAt: new Date(now.getTime() + SIGN_IN_MAX_MS),
        now,
      });
      return id;
    },

    /** The one-time code was traded: the sign-in gets its refresh handle and its first token. */
    async activate(sessionId: string): Promise<FrameSession> {
      const handle = newOneTimeSecret();
      const row = await repo.setHandle(db, sessionId, handle.hash);
      if (!row) throw new AppError('unauthorized', NO_SESSION);
      return { ...(await issue(row, row.is_admin, deps.now())), handle: handle.value };
    },

    /**
     * A fresh token for the sign-in behind `handle`, or the reason there is none (`session_ended`
     * with a sentence for the person; `unauthorized` when there is simply no sign-in to resume).
     */
    async renew(handle: string, requestLog: FastifyBaseLogger = log): Promise<FrameSession> {
      const now = deps.now();
      const row = await repo.findByHandle(db, hashSecret(handle));
      if (!row) throw new AppError('unauthorized', NO_SESSION);
      if (row.ended_at) throw new AppError('session_ended', row.ended_reason ?? NO_SESSION);
      if (row.expires_at <= now || row.last_used_at.getTime() + HANDLE_IDLE_MS <= now.getTime()) {
        await end(row, RAN_OUT);
        throw new AppError('session_ended', RAN_OUT);
      }
      const company = await companies.find(row.company_id);
      const refused = refusalFor(company, row.company_epoch);
      if (refused || !company) {
        await end(row, refused ?? NO_SESSION);
        throw new AppError('session_ended', refused ?? NO_SESSION);
      }
      let isAdmin = row.is_admin;
      const dueBefore = new Date(now.getTime() - recheckMs);
      if (
        row.checked_at <= dueBefore &&
        (await repo.claimCheck(db, row.id, dueBefore, now, new Date(now.getTime() + CHECK_CLAIM_MS)))
      ) {
        const outcome = await recheck(row, company, requestLog);
        if (outcome.kind === 'refused') {
          await end(row, outcome.reason);
          throw new AppError('session_ended', outcome.reason);
        }
        if (outcome.kind === 'ok') isAdmin = outcome.isAdmin;
      }
      await repo.touchSession(db, row.id, now);
      return issue(row, isAdmin, now);
    },

    /**
     * The `/api` scope's check after the token's signature: the company is still connected and
     * was not disconnected since the token was issued. Null when the session may go on.
     */
    async gate(verified: VerifiedSession): Promise<string | null> {
      return refusalFor(await companies.find(verified.session.companyId), verified.epoch);
    },

    /**
     * The company was disconnected (Disconnect, or Procore said the app was uninstalled): every
     * sign-in of the company ends, and each Procore grant they hold is revoked.
     */
    async endCompany(companyId: string): Promise<void> {
      const company = await companies.find(companyId);
      const reason = refusalFor(company, Number.NaN) ?? disconnectedMessage(company?.name ?? 'this company');
      const rows = await repo.listOpenWithTokens(db, companyId);
      await Promise.all(rows.map((row) => revokeGrant(row)));
      const ended = await repo.endCompanySessions(db, companyId, reason, deps.now());
      if (ended > 0)
        log.info({ companyId, sessions: ended }, 'ended every session of a disconnected company');
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
