/**
 * The iframe's session token, per company, in sessionStorage: it survives a reload of the frame
 * but not the tab, and needs no third-party cookie (procore-app.md §2.4).
 */
export interface StoredSession {
  token: string;
  expiresAt: string;
  userName: string;
  isAdmin: boolean;
}

const keyFor = (companyId: string) => `pws.session.${companyId}`;

export function loadSession(companyId: string, now = Date.now()): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(keyFor(companyId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    if (typeof parsed.token !== 'string' || Date.parse(parsed.expiresAt) <= now) {
      sessionStorage.removeItem(keyFor(companyId));
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

export function saveSession(companyId: string, session: StoredSession): void {
  sessionStorage.setItem(keyFor(companyId), JSON.stringify(session));
}

export function clearSession(companyId: string): void {
  sessionStorage.removeItem(keyFor(companyId));
}
