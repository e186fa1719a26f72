/**
 * Lets the event loop run: sockets and timers waiting behind a long piece of work get their turn
 * (a webhook delivery is answered while a sync works through a page). Used between slices of a
 * page's per-user work.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Users a slice: ~10–20 ms of per-user work between two turns of the event loop. */
const SLICE = 200;

/**
 * `items.map(fn)`, letting the event loop run between slices of `SLICE` items, so a page of 1,000
 * users mapped or decided at once does not hold every request for 50–100 ms.
 */
export async function mapInSlices<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => R,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let start = 0; start < items.length; start += SLICE) {
    if (start > 0) await yieldToEventLoop();
    const end = Math.min(items.length, start + SLICE);
    for (let i = start; i < end; i++) out[i] = fn(items[i] as T, i);
  }
  return out;
}
