import { describe, expect, it } from 'vitest';
import { parseDelivery, storablePayload } from '../../../server/webhooks/payload';
import { userEvent } from './harness';

/** What the fuzz test found: bodies zod accepted but PostgreSQL would refuse (a 5xx before). */
describe('webhook payloads PostgreSQL can store', () => {
  it('refuses ids beyond 64 bits and non-digit ids without throwing', () => {
    expect(parseDelivery({ ...userEvent('4280001', 1), resource_id: '9223372036854775808' }).ok).toBe(false);
    expect(parseDelivery({ ...userEvent('4280001', 1), resource_id: '1e5' }).ok).toBe(false);
    expect(parseDelivery({ ...userEvent('4280001', 1), resource_id: '9223372036854775807' }).ok).toBe(true);
  });

  it('drops event times PostgreSQL cannot hold', () => {
    const parsed = parseDelivery({ ...userEvent('4280001', 1), timestamp: '+275760-09-13T00:00:00Z' });
    expect(parsed.ok && parsed.event.eventAt).toBe(null);
  });

  it('refuses NUL, unpaired surrogates and deep nesting, and keeps literal backslash text', () => {
    expect(storablePayload({ a: 'x\u0000' }).ok).toBe(false);
    expect(storablePayload({ a: '\ud800' }).ok).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(storablePayload(deep).ok).toBe(false);
    expect(storablePayload({ a: '\\u0000 as text', b: '😀' })).toEqual({
      ok: true,
      json: JSON.stringify({ a: '\\u0000 as text', b: '😀' }),
    });
  });
});
