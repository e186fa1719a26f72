/**
 * Paces requests by Procore's own rate-limit headers so a long run does not hit 429 in steady
 * state (procore-api.md §7). Procore counts per token, and per company for the service account;
 * every response carries `X-Rate-Limit-Limit/Remaining/Reset` for whichever window (hourly or
 * 10-second spike) is nearer to running out, so the pacer trusts the headers rather than
 * assuming numbers ("don't assume 3600/hour").
 *
 * Per key (one per rate-limit bucket: `service:<company>` or `user:<company>`):
 *  - while more than `burstShare` of the window's budget is left, requests go at once, so a
 *    short job (one webhook fetch) never waits;
 *  - below that, the remaining budget is spread evenly over the time left until the reset:
 *    the next request may go at `lastSent + (reset - lastSent) / (remaining + 1)`, so the last
 *    allowed request leaves before the window turns over and other processes sharing the token
 *    never find an empty window;
 *  - with nothing left it waits for the reset; in the new window only the burst share goes out
 *    before the first answer reports the new window's numbers (no thundering herd at a reset).
 * Every window's whole budget is used, so steady-state throughput is the limit itself.
 *
 * The reset header has whole seconds, rounded up, so a 10 s spike window that opened at x.1 s
 * reads as ending up to a second late; waiting for it would cost up to 10% of the throughput.
 * When we sent the request that opened the window (its answer said `remaining = limit - 1`), the
 * window really ends `spikeWindowMs` (Procore's documented 10 s) after that, so we resume then
 * (never before `reset - 1 s`, never after `reset`). A 429 on a request sent on that guess turns
 * it off for the key: from then on only the header's reset is trusted.
 * A 429 also blocks the key until its reset (`block`). Acquisitions on one key are serialized.
 */

export interface PacerOptions {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Share of a window's budget that may go out as a burst (0–1). */
  burstShare?: number;
  /** Added to a reset time before sending into the new window (latency, clock granularity). */
  resetMarginMs?: number;
  /** Length of Procore's short "spike" window (procore-api.md §7: 10 s). */
  spikeWindowMs?: number;
}

interface Bucket {
  limit: number;
  /** Estimated budget left: the last header's remaining minus requests sent since. */
  remaining: number;
  /** The header's reset, ms. */
  resetAt: number;
  /** When we sent the request that opened the current window, if it was ours, and its round trip. */
  windowOpenedAt: number | undefined;
  windowOpenRtt: number;
  earlyResume: boolean;
  /** Sending into a window we assume has turned over, before any answer from it. */
  assumedFresh: boolean;
  lastSentAt: number;
  blockedUntil: number;
  inFlight: number;
  queue: Promise<void>;
}

/** How often a request parked behind an unanswered new window looks again. */
const ANSWER_POLL_MS = 25;

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  resetAt: number;
}

export function readRateLimitHeaders(headers: Headers): RateLimitSnapshot | undefined {
  const limit = Number(headers.get('x-rate-limit-limit'));
  const remaining = Number(headers.get('x-rate-limit-remaining'));
  const reset = Number(headers.get('x-rate-limit-reset'));
  if (!headers.has('x-rate-limit-remaining') || !Number.isFinite(remaining) || !Number.isFinite(reset)) {
    return undefined;
  }
  return { limit: Number.isFinite(limit) && limit > 0 ? limit : remaining, remaining, resetAt: reset * 1000 };
}

export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class RatePacer {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #burstShare: number;
  readonly #marginMs: number;
  readonly #spikeWindowMs: number;

  constructor(options: PacerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#burstShare = options.burstShare ?? 0.5;
    this.#marginMs = options.resetMarginMs ?? 100;
    this.#spikeWindowMs = options.spikeWindowMs ?? 10_000;
  }

  #bucket(key: string): Bucket {
    let b = this.#buckets.get(key);
    if (!b) {
      b = {
        limit: 0,
        remaining: 0,
        resetAt: 0,
        windowOpenedAt: undefined,
        windowOpenRtt: 0,
        earlyResume: true,
        assumedFresh: false,
        lastSentAt: 0,
        blockedUntil: 0,
        inFlight: 0,
        queue: Promise.resolve(),
      };
      this.#buckets.set(key, b);
    }
    return b;
  }

  /**
   * When it is safe to send into the next window, as well as we can tell (see the header
   * comment). The request that opened the window reached Procore at most one round trip after
   * we sent it, so its window ends no later than `opened + spikeWindow + rtt`.
   */
  #windowEnd(b: Bucket): number {
    const byHeader = b.resetAt + this.#marginMs;
    const opened = b.windowOpenedAt;
    const isSpike = opened !== undefined && b.resetAt - opened <= this.#spikeWindowMs + 1000;
    if (!b.earlyResume || !isSpike) return byHeader;
    const byOpening = opened + this.#spikeWindowMs + b.windowOpenRtt + this.#marginMs / 2;
    return Math.min(byHeader, Math.max(byHeader - 1000, byOpening));
  }

  /** How long a request on `key` must wait if sent now (0 = go). */
  delayFor(key: string): number {
    const b = this.#bucket(key);
    const now = this.#now();
    if (b.blockedUntil > now) return b.blockedUntil - now;
    if (b.limit === 0) return 0; // nothing known yet
    if (b.assumedFresh) {
      // A new window whose reset we have not been told yet: the burst share may go; the rest
      // waits for the first answer to tell us the reset.
      return b.remaining > b.limit * this.#burstShare ? 0 : ANSWER_POLL_MS;
    }
    const end = this.#windowEnd(b);
    if (now >= end) return 0; // the window has turned over
    if (b.remaining <= 0) return end - now;
    if (b.remaining > b.limit * this.#burstShare) return 0;
    const next = b.lastSentAt + (end - b.lastSentAt) / (b.remaining + 1);
    return Math.max(0, next - now);
  }

  /**
   * Waits for this key's turn, then counts one request as sent and returns its send time.
   * Pass that to `observe` with the response headers, or call `release` if none came.
   */
  async acquire(key: string, signal?: AbortSignal): Promise<number> {
    const b = this.#bucket(key);
    let done!: () => void;
    const turn = new Promise<void>((r) => {
      done = r;
    });
    const previous = b.queue;
    b.queue = previous.then(() => turn);
    try {
      await previous;
      // Re-check after each sleep: a response or a 429 may have changed the picture meanwhile.
      for (let wait = this.delayFor(key); wait > 0; wait = this.delayFor(key))
        await this.#sleep(wait, signal);
      const now = this.#now();
      if (b.limit > 0 && !b.assumedFresh && now >= this.#windowEnd(b)) {
        // Assume a fresh window until a response says otherwise (see `delayFor`).
        b.remaining = b.limit;
        b.assumedFresh = true;
      }
      b.remaining -= 1;
      b.lastSentAt = now;
      b.inFlight += 1;
      return now;
    } finally {
      done();
    }
  }

  /** Records the headers of the response to a request sent at `sentAt` (from `acquire`). */
  observe(key: string, headers: Headers, sentAt: number): void {
    const b = this.#bucket(key);
    b.inFlight = Math.max(0, b.inFlight - 1);
    const snap = readRateLimitHeaders(headers);
    if (!snap) {
      if (b.inFlight === 0) b.assumedFresh = false; // nothing more to learn from this window
      return;
    }
    b.assumedFresh = false;
    if (snap.resetAt !== b.resetAt) {
      // A new window: ours to time only if this request opened it.
      const opened = snap.remaining === snap.limit - 1;
      b.windowOpenedAt = opened ? sentAt : undefined;
      b.windowOpenRtt = opened ? Math.max(0, this.#now() - sentAt) : 0;
    }
    b.limit = snap.limit;
    // Requests sent after this one are not in the server's count yet.
    b.remaining = snap.remaining - b.inFlight;
    b.resetAt = snap.resetAt;
  }

  /** The request `acquire` counted got no response (network error). */
  release(key: string): void {
    const b = this.#bucket(key);
    b.inFlight = Math.max(0, b.inFlight - 1);
    if (b.inFlight === 0) b.assumedFresh = false; // no answer is coming to tell us more
  }

  /**
   * After a 429 on a request sent at `sentAt`: nothing goes out on `key` before `untilMs`. If we
   * sent it because we guessed the window had turned over, the guess is wrong for this bucket and
   * from now on only the header's reset is trusted. (A 429 from a burst sent before anything was
   * known says nothing about the guess.)
   */
  block(key: string, untilMs: number, sentAt?: number): void {
    const b = this.#bucket(key);
    const end = this.#windowEnd(b);
    const guessing = end < b.resetAt + this.#marginMs;
    if (sentAt === undefined || (guessing && sentAt >= end - 1)) b.earlyResume = false;
    b.blockedUntil = Math.max(b.blockedUntil, untilMs);
    b.remaining = 0;
    b.assumedFresh = false;
  }

  snapshot(key: string): RateLimitSnapshot | undefined {
    const b = this.#buckets.get(key);
    return b && b.limit > 0 ? { limit: b.limit, remaining: b.remaining, resetAt: b.resetAt } : undefined;
  }
}
