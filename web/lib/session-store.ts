/**
 * The iframe's session, per company, in sessionStorage: the current token and the sign-in's
 * refresh handle. It survives a reload of the frame but not the tab. Chrome partitions a cross-site
 * frame's storage by the top site; a browser that refuses the frame any storage (a SecurityError
 * on access, as Chromium does with third-party cookies blocked and storage partitioning off) gets
 * a memory-only copy, and a reload then resumes from the partitioned cookie the server set
 * (README, "Sessions").
 */
export interface StoredSession {
  token: string;
  expiresAt: string;
  userName: string;
  isAdmin: boolean;
  /** The sign-in's refresh handle (also in the partitioned cookie, which scripts cannot read). */
  handle?: string;
}

const keyFor = (companyId: string) => `pws.session.${companyId}`;
const memory = new Map<string, string>();

let probed: Storage | null | undefined;

/** sessionStorage when the browser lets this frame have it, else null. */
function frameStorage(): Storage | null {
  if (probed !== undefined) return probed;
  try {
    const s = window.sessionStorage;
    s.setItem('pws.probe', '1');
    s.removeItem('pws.probe');
    probed = s;
  } catch {
    probed = null;
  }
  return probed;
}

/** Whether this frame keeps anything across a reload by itself (README, "Sessions"). */
export function hasFrameStorage(): boolean {
  return frameStorage() !== null;
}

function storage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  return (
    frameStorage() ?? {
      getItem: (k) => memory.get(k) ?? null,
      setItem: (k, v) => void memory.set(k, v),
      removeItem: (k) => void memory.delete(k),
    }
  );
}

function read(companyId: string): StoredSession | null {
  try {
    const raw = storage().getItem(keyFor(companyId));
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    return typeof parsed.token === 'string' && typeof parsed.expiresAt === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** The stored session while its token is still good; null otherwise (the handle may still be). */
export function loadSession(companyId: string, now = Date.now()): StoredSession | null {
  const stored = read(companyId);
  return stored && Date.parse(stored.expiresAt) > now ? stored : null;
}

/** The refresh handle kept for the company, even when the token beside it has run out. */
export function loadHandle(companyId: string): string | undefined {
  return read(companyId)?.handle;
}

export function saveSession(companyId: string, session: StoredSession): void {
  try {
    storage().setItem(keyFor(companyId), JSON.stringify(session));
  } catch {
    // Storage full or withdrawn mid-page: the session goes on in memory and the cookie.
  }
}

export function clearSession(companyId: string): void {
  try {
    storage().removeItem(keyFor(companyId));
  } catch {
    // nothing kept, nothing to clear
  }
}
