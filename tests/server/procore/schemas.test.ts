import { describe, expect, it } from 'vitest';
import { ProcoreSchemaError } from '../../../server/procore/errors';
import { parseJsonSafe } from '../../../server/procore/json';
import { nextLink } from '../../../server/procore/pagination';
import {
  companyUserSchema,
  errorMessages,
  hookSchema,
  parseArrayWith,
  parseWith,
  timecardEntrySchema,
  tokenResponseSchema,
} from '../../../server/procore/schemas';
import { procoreCompanyUser } from '../../helpers/sync-factories';

const user = procoreCompanyUser();

describe('64-bit ids', () => {
  it('keeps ids above 2^53 exact and as strings', () => {
    const body = parseJsonSafe(
      '[{"id": 9007199254740993, "name": "x", "n": 1.5, "s": "12345678901234567890"}]',
    );
    expect(body).toEqual([{ id: '9007199254740993', name: 'x', n: 1.5, s: '12345678901234567890' }]);
    const parsed = parseWith(companyUserSchema, { ...user, id: '9223372036854775807' }, { label: 'user' });
    expect(parsed.id).toBe('9223372036854775807');
  });

  it('coerces small numeric ids to strings, and refuses an unsafe number', () => {
    expect(parseWith(companyUserSchema, user, { label: 'user' }).id).toBe('8150001');
    expect(parseWith(companyUserSchema, user, { label: 'user' }).work_classification_id).toBe('2801');
    expect(() => parseWith(companyUserSchema, { ...user, id: 2 ** 60 }, { label: 'user' })).toThrow(
      /user\.id/,
    );
  });

  it('does not touch digits inside strings or decimals', () => {
    expect(parseJsonSafe('{"a":"id 12345678901234567890","b":0.12345678901234567}')).toEqual({
      a: 'id 12345678901234567890',
      b: Number('0.12345678901234567'),
    });
  });
});

describe('schemas', () => {
  it('keeps unknown fields and accepts nulls where Procore allows them', () => {
    const parsed = parseWith(
      companyUserSchema,
      { ...user, brand_new_field: { x: 1 }, mobile_phone: null, is_employee: null },
      { label: 'user' },
    );
    expect(parsed).toMatchObject({ brand_new_field: { x: 1 }, mobile_phone: null, is_employee: null });
  });

  it('names the field and index of a wrong type', () => {
    const list = [user, user, user, { ...user, is_employee: 'yes' }];
    let error: unknown;
    try {
      parseArrayWith(companyUserSchema, list, { label: 'users' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProcoreSchemaError);
    expect((error as ProcoreSchemaError).field).toBe('users[3].is_employee');
    expect((error as ProcoreSchemaError).problem).toMatch(/expected boolean/);
    expect((error as Error).message).toContain('users[3].is_employee: expected boolean');
  });

  it('reports a missing used field', () => {
    const { is_employee: _gone, ...rest } = user;
    expect(() => parseWith(companyUserSchema, rest, { label: 'user' })).toThrow(/user\.is_employee/);
  });

  it('takes hours as text or number, and v2.0 string ids', () => {
    expect(
      parseWith(timecardEntrySchema, { id: 1, date: '2026-11-02', hours: 8 }, { label: 't' }).hours,
    ).toBe('8');
    const hook = parseWith(
      hookSchema,
      { id: '740001', destination_url: 'https://x', company_id: '4280001' },
      { label: 'h' },
    );
    expect(hook.company_id).toBe('4280001');
  });

  it('parses token responses with and without a refresh token', () => {
    expect(
      parseWith(tokenResponseSchema, { access_token: 'a', expires_in: 5400 }, { label: 't' }).refresh_token,
    ).toBe(undefined);
    expect(() =>
      parseWith(tokenResponseSchema, { access_token: '', expires_in: 5400 }, { label: 't' }),
    ).toThrow(ProcoreSchemaError);
  });

  it('collects messages from v1 and v2 error bodies', () => {
    expect(errorMessages({ errors: { name: ['has already been taken'] } })).toEqual([
      'name has already been taken',
    ]);
    expect(errorMessages({ message: 'App is not connected to this company' })).toEqual([
      'App is not connected to this company',
    ]);
    expect(
      errorMessages({
        error: { code: 'BAD_REQUEST', message: 'Invalid', details: [{ message: 'url is bad' }] },
      }),
    ).toEqual(['Invalid', 'url is bad']);
  });
});

describe('Link header', () => {
  it('finds rel="next" in any position', () => {
    const header =
      '<https://api.procore.com/x?page=1&per_page=5>; rel="first", <https://api.procore.com/x?page=30>; rel="last", <https://api.procore.com/x?page=4&per_page=5>; rel="next"';
    expect(nextLink(header)).toBe('https://api.procore.com/x?page=4&per_page=5');
    expect(nextLink('<https://a/x?page=1>; rel="first", <https://a/x?page=2>; rel="prev"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});
