import { computed, createModel, effect, type ReadonlySignal, signal } from '@preact/signals';
import { exchangeHandoff, renewSession } from '../api';
import type { SessionResponse } from '../api-types';
import { ApiError, onSessionRefused, setSessionRenewer } from '../lib/request';
import {
  clearSession,
  hasFrameStorage,
  loadHandle,
  loadSession,
  type StoredSession,
  saveSession,
} from '../lib/session-store';

export type ConnectState =
  | { status: 'idle'; notice: string | null }
  /** Getting a session back from the sign-in's refresh handle (a reload, a new tab). */
  | { status: 'resuming' }
  | { status: 'connecting' }
  | { status: 'error'; message: string };

export interface SessionModel {
  /** Who is signed in: changes at sign-in and sign-out only, not when the token is renewed. */
  session: ReadonlySignal<StoredSession | null>;
  connect: ReadonlySignal<ConnectState>;
  /** Whether the browser lets this frame keep anything by itself across a reload. */
  frameStorage: ReadonlySignal<boolean>;
  /** The token to send now (the latest renewal's). */
  token(): string | null;
  startConnecting(): void;
  finishConnecting(code: string): Promise<void>;
  failConnecting(message: string): void;
  expire(notice?: string): void;
}

const ENDED = 'Your session has ended. Connect to Procore again to pick up where you left off.';
/** Renew this long before the token runs out (or a quarter of its life, for short test lifetimes). */
const RENEW_MARGIN_MS = 2 * 60_000;
/** After a renewal that could not reach the server, try again this soon. */
const RETRY_MS = 15_000;

/**
 * Who is signed in to this frame, and keeping them signed in (README, "Sessions"):
 *  - the token and the sign-in's refresh handle live in sessionStorage where the frame has it; the
 *    handle also lives in a partitioned cookie the server set, so a reload of the Procore page, or
 *    a second tab, resumes without a click even where the browser refuses the frame storage;
 *  - the token is renewed before it runs out while the page is open (and at once when a hidden
 *    page comes back after its renewal was due, or a request meets an expired token);
 *  - when the server ends the session (Disconnect, uninstall, access lost in Procore) the app
 *    shows Connect with the server's reason, and keeps the page's address.
 */
export const SessionModel = createModel((companyId: string): SessionModel => {
  const stored = loadSession(companyId);
  let current: StoredSession | null = stored;
  let receivedAt = Date.now();
  const signedIn = signal<StoredSession | null>(stored, { name: 'session' });
  const connect = signal<ConnectState>(stored ? { status: 'idle', notice: null } : { status: 'resuming' }, {
    name: 'connect',
  });
  let refusal: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let renewing: Promise<string | null> | null = null;

  function renewDue(): number {
    if (!current) return Number.POSITIVE_INFINITY;
    const expiresAt = Date.parse(current.expiresAt);
    const lifetime = Math.max(0, expiresAt - receivedAt);
    return expiresAt - Math.min(RENEW_MARGIN_MS, lifetime / 4);
  }

  function schedule(delay = renewDue() - Date.now()) {
    clearTimeout(timer);
    if (!current) return;
    timer = setTimeout(() => void renew(), Math.max(1000, delay));
  }

  function adopt(issued: SessionResponse): StoredSession {
    const next: StoredSession = {
      token: issued.token,
      expiresAt: issued.expiresAt,
      userName: issued.userName,
      isAdmin: issued.isAdmin,
      handle: issued.handle ?? current?.handle ?? loadHandle(companyId),
    };
    current = next;
    receivedAt = Date.now();
    saveSession(companyId, next);
    schedule();
    return next;
  }

  function end(notice: string | null) {
    clearTimeout(timer);
    clearSession(companyId);
    current = null;
    refusal = null;
    signedIn.value = null;
    connect.value = { status: 'idle', notice };
  }

  /** One renewal at a time; the new token, or null (the session ended, or the server is away). */
  function renew(): Promise<string | null> {
    renewing ??= (async () => {
      try {
        const issued = await renewSession(companyId, current?.handle ?? loadHandle(companyId));
        const next = adopt(issued);
        if (!signedIn.peek()) {
          signedIn.value = next;
          connect.value = { status: 'idle', notice: null };
        }
        return next.token;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          // `session_ended` carries the reason to show; `unauthorized` means there was none to resume.
          end(err.code === 'session_ended' ? err.message : current ? ENDED : null);
        } else if (current && Date.parse(current.expiresAt) > Date.now()) {
          schedule(RETRY_MS);
        } else if (!signedIn.peek()) {
          connect.value = {
            status: 'error',
            message:
              'Worker Sync could not be reached to resume your session. Check your connection, then Connect.',
          };
        }
        return null;
      } finally {
        renewing = null;
      }
    })();
    return renewing;
  }

  // Owned by the model: gone when the frame's company app unmounts.
  effect(() => {
    const offRefused = onSessionRefused((err) => {
      if (err.code === 'session_ended') refusal = err.message;
    });
    setSessionRenewer(async (expiredToken) =>
      current && current.token !== expiredToken ? current.token : renew(),
    );
    const onVisible = () => {
      if (document.visibilityState === 'visible' && current && Date.now() >= renewDue()) void renew();
    };
    document.addEventListener('visibilitychange', onVisible);
    if (current) schedule();
    else void renew(); // a reload or a new tab: the handle (storage or cookie) may bring the session back
    return () => {
      offRefused();
      setSessionRenewer(null);
      document.removeEventListener('visibilitychange', onVisible);
      clearTimeout(timer);
    };
  });

  return {
    session: computed(() => signedIn.value),
    connect: computed(() => connect.value),
    frameStorage: signal(hasFrameStorage(), { name: 'frameStorage' }),
    token: () => current?.token ?? null,
    startConnecting() {
      connect.value = { status: 'connecting' };
    },
    async finishConnecting(code: string) {
      try {
        const next = adopt(await exchangeHandoff(code));
        signedIn.value = next;
        connect.value = { status: 'idle', notice: null };
      } catch (err) {
        connect.value = {
          status: 'error',
          message: err instanceof ApiError ? err.message : 'The sign-in could not be finished. Try again.',
        };
      }
    },
    failConnecting(message: string) {
      connect.value = { status: 'error', message };
    },
    expire(notice?: string) {
      end(notice ?? refusal ?? ENDED);
    },
  };
});
