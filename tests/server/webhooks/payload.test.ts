import { describe, expect, it } from 'vitest';
import { parseDelivery } from '../../../server/webhooks/payload';

const v2 = {
  id: 88123456,
  ulid: '01JD8ZK5W3R0Q1G3V9X2T4Y6AB',
  timestamp: '2026-11-25T10:00:00Z',
  metadata: { source_user_id: 12, source_company_id: 4280001, source_application_id: null },
  user_id: 12,
  company_id: 4280001,
  project_id: null,
  api_version: 'v2.0',
  event_type: 'update',
  resource_name: 'Company Users',
  resource_id: 9007199254740,
};

const v4 = {
  id: '01JD8ZK5W3R0Q1G3V9X2T4Y6AC',
  timestamp: '2026-11-25T10:00:00Z',
  reason: 'update',
  company_id: '4280001',
  project_id: null,
  user_id: '12',
  resource_type: 'Company Users',
  resource_id: '9007199254740993',
};

describe('webhook payloads', () => {
  it('reads a v2.0 event with integer ids', () => {
    const parsed = parseDelivery(v2);
    expect(parsed).toEqual({
      ok: true,
      event: expect.objectContaining({
        deliveryKey: v2.ulid,
        payloadVersion: 'v2.0',
        companyId: '4280001',
        resourceName: 'Company Users',
        eventType: 'update',
        resourceId: '9007199254740',
      }),
    });
  });

  it('reads a v3.0 event with related resources', () => {
    const parsed = parseDelivery({ ...v2, api_version: 'v3.0', related_resources: [] });
    expect(parsed.ok && parsed.event.payloadVersion).toBe('v3.0');
  });

  it('reads a v4.0 event with string ids beyond 2^53', () => {
    const parsed = parseDelivery(v4);
    expect(parsed.ok && parsed.event).toMatchObject({
      deliveryKey: v4.id,
      payloadVersion: 'v4.0',
      resourceId: '9007199254740993',
      eventType: 'update',
    });
  });

  it.each([
    ['an array', [v2], 'JSON object'],
    ['a missing company', { ...v2, company_id: undefined }, 'company_id'],
    ['a wrong id type', { ...v2, resource_id: 'abc' }, 'resource_id'],
    ['a fractional id', { ...v2, company_id: 1.5 }, 'company_id'],
    ['no id and no ulid', { ...v2, id: undefined, ulid: undefined }, 'ulid'],
    ['an unknown version', { ...v2, api_version: 'v9' }, 'api_version'],
    ['a v4 event without a reason', { ...v4, reason: '' }, 'reason'],
  ])('refuses %s with a reason naming the field', (_label, body, field) => {
    const parsed = parseDelivery(body);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(field);
  });
});
