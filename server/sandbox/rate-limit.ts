import type { FastifyReply } from 'fastify';
import type { RateWindow, SandboxState } from './state';

export interface RateVerdict {
  limit: number;
  remaining: number;
  /** Unix seconds at which the reported window resets. */
  reset: number;
  exceeded: boolean;
}

/**
 * procore-api.md §7: two fixed windows — hourly and a 10-second spike window — per access token,
 * and per company for service-account (DMSA) calls (legacy doc; §9.8 notes current docs do not
 * restate it). Every request counts, including failed ones. The headers report whichever window
 * is closest to exhaustion (fewest requests remaining).
 */
export function countRequest(state: SandboxState, key: string): RateVerdict {
  const now = state.now();
  const cfg = state.settings.rateLimit;
  let entry = state.rateWindows.get(key);
  if (!entry) {
    entry = { hourly: { count: 0, resetAt: 0 }, spike: { count: 0, resetAt: 0 } };
    state.rateWindows.set(key, entry);
  }
  roll(entry.hourly, now, cfg.hourlyWindowSeconds * 1000);
  roll(entry.spike, now, cfg.spikeWindowSeconds * 1000);
  entry.hourly.count++;
  entry.spike.count++;

  const hourly = verdict(entry.hourly, cfg.hourly);
  const spike = verdict(entry.spike, cfg.spike);
  if (hourly.exceeded || spike.exceeded) {
    // Report the window that refused the request; if both did, the one that frees up last.
    if (hourly.exceeded && spike.exceeded) return hourly.reset >= spike.reset ? hourly : spike;
    return hourly.exceeded ? hourly : spike;
  }
  return hourly.remaining < spike.remaining ? hourly : spike;
}

function roll(window: RateWindow, now: number, lengthMs: number): void {
  if (now >= window.resetAt) {
    window.count = 0;
    window.resetAt = now + lengthMs;
  }
}

function verdict(window: RateWindow, limit: number): RateVerdict {
  return {
    limit,
    remaining: Math.max(0, limit - window.count),
    reset: Math.ceil(window.resetAt / 1000),
    exceeded: window.count > limit,
  };
}

export function setRateHeaders(reply: FastifyReply, v: RateVerdict): void {
  reply.header('X-Rate-Limit-Limit', String(v.limit));
  reply.header('X-Rate-Limit-Remaining', String(v.remaining));
  reply.header('X-Rate-Limit-Reset', String(v.reset));
}

/** procore-api.md §7: the legacy 429 body text. */
export const RATE_LIMIT_MESSAGE =
  'You have surpassed the max number of requests for an hour. Please wait until your limit resets.';
