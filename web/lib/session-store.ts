/**
 * The iframe's session token, per company, in sessionStorage: it survives a reload of the frame
 * but not the tab, and needs no third-party cookie (procore-app.md §2.4). Chrome partitions a
 * cross-site frame's storage by the top site; a browser that refuses the frame any storage
 * (a SecurityError on access) gets a memory-only session: signed in until the frame reloads.
 */
export interface StoredSession {
  token: string;
  expiresAt: string;
  userName: string;
  isAdmin: boolean;
}

const keyFor = (companyId: string) => `pws.session.${companyId}`;
const memory = new Map<string, string>();

function storage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  try {
    const s = window.sessionStorage;
    s.getItem('pws.probe');
    return s;
  } catch {
    return {
      getItem: (k) => memory.get(k) ?? null,
      setItem: (k, v) => void memory.set(k, v),
      removeItem: (k) => void memory.delete(k),
    };
  }
}

export function loadSession(companyId: string, now = Date.now()): StoredSession | null {
  try {
    const raw = storage().getItem(keyFor(companyId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    if (typeof parsed.token !== 'string' || Date.parse(parsed.expiresAt) <= now) {
      storage().removeItem(keyFor(companyId));
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

export function saveSession(companyId: string, session: StoredSession): void {
  storage().setItem(keyFor(companyId), JSON.stringify(session));
}

export function clearSession(companyId: string): void {
  storage().removeItem(keyFor(companyId));
}
