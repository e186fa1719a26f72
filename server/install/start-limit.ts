/**
 * `GET /auth/procore/start` needs no session (it is how a session begins) and writes a pending
 * sign-in per call, so each client gets a small budget: a person clicks Connect a few times a
 * minute at most. Kept in the process: several processes each allow the budget, which still
 * bounds what one client can write.
 */
export interface StartLimit {
  /** True when this client may start another sign-in now (and counts it). */
  take(client: string, now?: number): boolean;
}

export function createStartLimit(opts: { perWindow: number; windowMs: number }): StartLimit {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return {
    take(client, now = Date.now()) {
      // Forget finished windows as we go, so the map never outgrows the clients of one window.
      if (windows.size > 10_000) {
        for (const [key, w] of windows) if (now - w.startedAt >= opts.windowMs) windows.delete(key);
      }
      const current = windows.get(client);
      if (!current || now - current.startedAt >= opts.windowMs) {
        windows.set(client, { startedAt: now, count: 1 });
        return true;
      }
      current.count += 1;
      return current.count <= opts.perWindow;
    },
  };
}
