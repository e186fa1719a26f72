/**
 * Live updates by polling, not server-sent events: it needs nothing from the server beyond the
 * list endpoints, survives proxies and restarts, and every app process can answer it. The delay
 * is asked for before each wait, so a model polls fast while a sync runs (1 s) and slowly
 * otherwise; nothing is fetched while the page is hidden, and coming back refreshes at once.
 * The returned stop function also has `kick()`: fetch now (the page just started something).
 */
export function poll(tick: () => Promise<void>, delayMs: () => number): (() => void) & { kick: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = false;

  const run = async () => {
    clearTimeout(timer);
    if (stopped || running) return;
    running = true;
    try {
      if (document.visibilityState !== 'hidden') await tick();
    } catch {
      // the model records its own errors; polling goes on
    } finally {
      running = false;
    }
    if (!stopped) timer = setTimeout(run, delayMs());
  };
  const onVisibility = () => {
    if (document.visibilityState === 'visible') void run();
  };

  timer = setTimeout(run, delayMs());
  document.addEventListener('visibilitychange', onVisibility);
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
  return Object.assign(stop, { kick: () => void run() });
}

export const FAST_POLL_MS = 1000;
export const SLOW_POLL_MS = 10_000;
