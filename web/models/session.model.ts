import { computed, createModel, type ReadonlySignal, signal } from '@preact/signals';
import { exchangeHandoff } from '../api';
import { ApiError } from '../lib/request';
import { clearSession, loadSession, type StoredSession, saveSession } from '../lib/session-store';

export type ConnectState =
  | { status: 'idle'; notice: string | null }
  | { status: 'connecting' }
  | { status: 'error'; message: string };

export interface SessionModel {
  session: ReadonlySignal<StoredSession | null>;
  connect: ReadonlySignal<ConnectState>;
  token(): string | null;
  startConnecting(): void;
  finishConnecting(code: string): Promise<void>;
  failConnecting(message: string): void;
  expire(notice?: string): void;
}

/**
 * Who is signed in to this frame. The token lives in sessionStorage so a reload keeps it; when
 * the server says it is gone, the app shows Connect again and keeps the page's address, so the
 * person lands back where they were.
 */
export const SessionModel = createModel((companyId: string): SessionModel => {
  const session = signal<StoredSession | null>(loadSession(companyId), { name: 'session' });
  const connect = signal<ConnectState>({ status: 'idle', notice: null }, { name: 'connect' });

  return {
    session: computed(() => session.value),
    connect: computed(() => connect.value),
    token: () => session.peek()?.token ?? null,
    startConnecting() {
      connect.value = { status: 'connecting' };
    },
    async finishConnecting(code: string) {
      try {
        const issued = await exchangeHandoff(code);
        const stored: StoredSession = {
          token: issued.token,
          expiresAt: issued.expiresAt,
          userName: issued.userName,
          isAdmin: issued.isAdmin,
        };
        saveSession(companyId, stored);
        session.value = stored;
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
    expire(notice = 'Your session has ended. Connect to Procore again to pick up where you left off.') {
      clearSession(companyId);
      session.value = null;
      connect.value = { status: 'idle', notice };
    },
  };
});
