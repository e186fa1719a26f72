import { describe, expect, it } from 'vitest';
import { mapUser, toE164 } from '../../../server/sync/map-user';
import { procoreUser } from '../../helpers/sync-factories';

describe('mapUser (seed.md field table)', () => {
  it('maps a complete user to worker fields with the phone in E.164', () => {
    const r = mapUser(
      procoreUser({
        first_name: ' Jane ',
        last_name: 'Doe',
        email_address: 'Jane@Acme.COM',
        mobile_phone: '312.555.0142',
        employee_id: 'P-7',
      }),
    );
    expect(r).toEqual({
      ok: true,
      warnings: [],
      worker: {
        firstName: 'Jane',
        lastName: 'Doe',
        email: 'jane@acme.com',
        phone: '+13125550142',
        payrollId: 'P-7',
        classificationId: null,
      },
    });
  });

  it('accepts the formats people type into Procore', () => {
    for (const raw of ['(312) 555-0142', '312.555.0142', '+1 312 555 0142', '312-555-0142', '3125550142']) {
      expect(toE164(raw, 'US')).toBe('+13125550142');
    }
  });

  it("uses the user's country as the region", () => {
    expect(toE164('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(toE164('020 7946 0958', null)).toBeNull();
  });

  it('reads a number met before the same way, each region for itself', () => {
    // The second reading of each comes from what the first one found.
    for (let round = 0; round < 2; round++) {
      expect(toE164('020 7946 0018', 'GB')).toBe('+442079460018');
      expect(toE164('020 7946 0018', 'US')).toBeNull();
      expect(toE164('(312) 555-0142', 'US')).toBe('+13125550142');
    }
  });

  it('names every missing or invalid required field at once', () => {
    const r = mapUser(
      procoreUser({ first_name: null, last_name: ' ', email_address: 'mike@', mobile_phone: '555-12' }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons.map((x) => x.code)).toEqual([
      'missing_first_name',
      'missing_last_name',
      'invalid_email',
      'invalid_cell_phone',
    ]);
    expect(r.reasons[2]?.text).toBe('Email address "mike@" is not valid');
  });

  it('reports a missing email and cell phone in plain words', () => {
    const r = mapUser(procoreUser({ email_address: null, mobile_phone: '' }));
    expect(r.ok ? [] : r.reasons.map((x) => x.text)).toEqual(['Missing email', 'Missing cell phone']);
  });

  it('syncs without an Employee ID, with a warning', () => {
    const r = mapUser(procoreUser({ employee_id: null }));
    expect(r.ok && r.worker.payrollId).toBe(null);
    expect(r.ok ? r.warnings.map((w) => w.text) : []).toEqual([
      'No Employee ID: synced without a Payroll ID',
    ]);
  });
});
