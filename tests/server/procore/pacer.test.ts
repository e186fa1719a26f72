import { describe, expect, it } from 'vitest';
import { RatePacer } from '../../../server/procore/pacer';

/**
 * The pacer's arithmetic on a fake clock against a simulated fixed window of 25 per 10 s that
 * opens on the first request, as the sandbox's (procore-api.md §7), reporting the reset in whole
 * seconds rounded up.
 */
function simulation(options: { limit?: number; windowMs?: number; rttMs?: number } = {}) {
  const limit = options.limit ?? 25;
  const windowMs = options.windowMs ?? 10_000;
  const rtt = options.rttMs ?? 4;
  let now = 1_000_000_123; // not on a whole second
  let windowEnd = 0;
  let count = 0;
  const rejected: number[] = [];
  const pacer = new RatePacer({
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    spikeWindowMs: windowMs,
  });

  async function request(key = 'k'): Promise<void> {
    const sentAt = await pacer.acquire(key);
    const arrival = now + rtt / 2;
    if (arrival >= windowEnd) {
      windowEnd = arrival + windowMs;
      count = 0;
    }
    count += 1;
    if (count > limit) rejected.push(arrival);
    now += rtt;
    const headers = new Headers({
      'X-Rate-Limit-Limit': String(limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, limit - count)),
      'X-Rate-Limit-Reset': String(Math.ceil(windowEnd / 1000)),
    });
    pacer.observe(key, headers, sentAt);
  }
  return { pacer, request, rejected, now: () => now };
}

describe('RatePacer', () => {
  it('sends the first half of a window at once (short jobs never wait)', async () => {
    const sim = simulation();
    const start = sim.now();
    for (let i = 0; i < 12; i++) await sim.request();
    expect(sim.now() - start).toBeLessThan(100);
  });

  it('runs 1,000 requests with no 429 within 1% of 25 per 10 s', async () => {
    const sim = simulation();
    const start = sim.now();
    for (let i = 0; i < 1000; i++) await sim.request();
    expect(sim.rejected).toEqual([]);
    const elapsed = sim.now() - start;
    expect(elapsed).toBeLessThanOrEqual(400_000 * 1.01);
    expect(elapsed).toBeGreaterThanOrEqual(390_000);
  });

  it('resumes when its own first request opened the window, not at the rounded-up reset', async () => {
    const sim = simulation();
    for (let i = 0; i < 25; i++) await sim.request();
    const early = sim.pacer.delayFor('k');
    // A 429 means the guess was wrong for this bucket: from then on only the header counts.
    sim.pacer.block('k', 0);
    const late = sim.pacer.delayFor('k');
    expect(early).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(early);
    expect(late - early).toBeLessThanOrEqual(1000 + 100);
  });

  it('keeps buckets apart', async () => {
    const sim = simulation({ limit: 2 });
    await sim.request('a');
    await sim.request('a');
    expect(sim.pacer.delayFor('a')).toBeGreaterThan(0);
    expect(sim.pacer.delayFor('b')).toBe(0);
  });
});
