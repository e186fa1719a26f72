import { describe, expect, it } from 'vitest';
import { storableString, truncateText } from '../../../server/db/storable-text';
import { ProcoreSchemaError } from '../../../server/procore/errors';
import { parseJsonSafe } from '../../../server/procore/json';
import {
  companyUserSchema,
  errorMessages,
  parseArrayWith,
  parseWith,
  personSchema,
  sanitizationWarnings,
  workClassificationSchema,
} from '../../../server/procore/schemas';
import { BACKENDS, freshDatabase } from '../../helpers/db';
import { procoreCompanyUser } from '../../helpers/sync-factories';

const user = procoreCompanyUser();

const parseUser = (value: unknown) => parseWith(companyUserSchema, value, { label: 'user' });

describe('storable text from Procore', () => {
  it('leaves a clean user exactly as it was, with no warnings', () => {
    const parsed = parseUser(user);
    expect(parsed).toEqual({ ...user, id: '8150001', work_classification_id: '2801' });
    expect(sanitizationWarnings(parsed)).toEqual([]);
    expect('_sanitized' in parsed).toBe(false);
  });

  it('removes a NUL from a name, leaves out an email holding one, and says so', () => {
    // As it arrives: a JSON escape in the response text.
    const body = JSON.stringify({
      ...user,
      last_name: 'Whit\u0000field',
      email_address: 'dana\u0000@example.com',
    });
    expect(body).toContain('\\u0000');
    const parsed = parseUser(parseJsonSafe(body));
    expect(parsed.last_name).toBe('Whitfield');
    expect(parsed.email_address).toBeNull();
    expect(parsed.first_name).toBe('Dana');
    expect(sanitizationWarnings(parsed)).toEqual([
      'Last name contained a character that cannot be stored; it was removed',
      'Email address contained a character that cannot be stored; it was left out',
    ]);
  });

  it('removes lone surrogates, which would otherwise be stored as U+FFFD', () => {
    // JSON.stringify writes a lone surrogate as an escape, as a server's JSON may.
    const body = JSON.stringify({ ...user, first_name: 'Da\ud800na' });
    expect(body).toContain('\\ud800');
    const parsed = parseUser(parseJsonSafe(body));
    expect(parsed.first_name).toBe('Dana');
    expect(sanitizationWarnings(parsed)).toEqual([
      'First name contained a character that cannot be stored; it was removed',
    ]);
  });

  it('shortens a 100,000-character name to 255 characters', () => {
    const parsed = parseUser({ ...user, first_name: 'A'.repeat(100_000) });
    expect(parsed.first_name).toBe('A'.repeat(255));
    expect(sanitizationWarnings(parsed)).toEqual([
      'First name was longer than 255 characters; it was shortened',
    ]);
  });

  it('leaves out a 5,000-character email rather than cutting it into a different address', () => {
    const email = `${'d'.repeat(4_988)}@example.com`;
    expect(email).toHaveLength(5_000);
    const parsed = parseUser({ ...user, email_address: email });
    expect(parsed.email_address).toBeNull();
    expect(sanitizationWarnings(parsed)).toEqual([
      'Email address was longer than 320 characters, too long to be valid; it was left out',
    ]);
  });

  it('keeps emoji, accents and right-to-left text as they are', () => {
    const names = {
      first_name: 'Zoë 👷🏽‍♀️',
      last_name: 'עִבְרִית العربية',
      job_title: 'Capataz 🏗️',
      email_address: 'zoë@exämple.com',
    };
    const parsed = parseUser({ ...user, ...names });
    expect(parsed).toMatchObject(names);
    expect(sanitizationWarnings(parsed)).toEqual([]);
  });

  it('counts characters, not UTF-16 units, and never cuts an emoji in half', () => {
    // 255 astral characters are 510 UTF-16 units: within the limit.
    const emoji = '👷'.repeat(255);
    expect(parseUser({ ...user, last_name: emoji }).last_name).toBe(emoji);
    // A family emoji (7 code points) straddling the limit is dropped whole.
    const family = '👨‍👩‍👧‍👦';
    const cut = parseUser({ ...user, last_name: `${'a'.repeat(252)}${family}` });
    expect(cut.last_name).toBe('a'.repeat(252));
    expect(truncateText(`${'a'.repeat(3)}e\u0301`, 4)).toBe('aaa');
    expect(truncateText('e\u0301'.repeat(3), 1)).toBe('e'); // one grapheme longer than the limit
  });

  it('reports every field it changed, and none it did not', () => {
    const parsed = parseUser({
      ...user,
      first_name: '\u0000',
      name: 'N'.repeat(300),
      mobile_phone: `+1 312 555 0100${' '.repeat(100)}`,
      employee_id: 'E\u00001',
      job_title: `${'T'.repeat(300)}\u0000`,
    });
    expect(parsed.first_name).toBe('');
    expect(parsed.name).toHaveLength(255);
    expect(parsed.mobile_phone).toBeNull();
    expect(parsed.employee_id).toBeNull();
    expect(parsed.job_title).toBe('T'.repeat(255));
    expect(sanitizationWarnings(parsed)).toEqual([
      'First name contained a character that cannot be stored; it was removed',
      'Name was longer than 255 characters; it was shortened',
      'Cell phone was longer than 64 characters, too long to be valid; it was left out',
      'Employee ID contained a character that cannot be stored; it was left out',
      'Job title contained a character that cannot be stored; it was removed',
      'Job title was longer than 255 characters; it was shortened',
    ]);
  });

  it('ignores a `_sanitized` field sent by Procore itself', () => {
    const parsed = parseUser({ ...user, _sanitized: ['made up'] });
    expect(sanitizationWarnings(parsed)).toEqual([]);
  });

  it('still checks types first: a wrong type is an error, not a warning', () => {
    expect(() => parseUser({ ...user, first_name: 42 })).toThrow(ProcoreSchemaError);
    const list = [user, { ...user, last_name: 'ok\u0000' }];
    const parsed = parseArrayWith(companyUserSchema, list, { label: 'users' });
    expect(parsed.map(sanitizationWarnings)).toEqual([
      [],
      ['Last name contained a character that cannot be stored; it was removed'],
    ]);
  });

  it('cleans classification names and people too', () => {
    const c = parseWith(workClassificationSchema, { id: 1, name: 'Lab\u0000orer' }, { label: 'c' });
    expect(c.name).toBe('Laborer');
    const p = parseWith(
      personSchema,
      {
        id: 2,
        first_name: 'Al',
        last_name: 'B\u0000',
        is_employee: true,
        employee_id: null,
        user_id: null,
        contact: { email: `${'x'.repeat(400)}@example.com` },
      },
      { label: 'p' },
    );
    expect(p.last_name).toBe('B');
    expect(p.contact?.email).toBeNull();
    expect(sanitizationWarnings(p)).toEqual([
      'Last name contained a character that cannot be stored; it was removed',
    ]);
    expect(sanitizationWarnings(p.contact)).toHaveLength(1);
  });

  it('makes Procore error messages storable and bounded', () => {
    const [message] = errorMessages({ message: `bad\u0000 ${'x'.repeat(5_000)}` });
    expect(message!.startsWith('bad x')).toBe(true);
    expect(message!.length).toBeLessThanOrEqual(1_000);
    expect(errorMessages('<html>\u0000</html>')).toEqual(['<html></html>']);
  });

  it.each(BACKENDS)('what it returns can be written to PostgreSQL text [%s]', async (backend) => {
    const handle = await freshDatabase(backend);
    try {
      const parsed = parseUser({
        ...user,
        first_name: `Da\u0000na\ud800 ${'x'.repeat(1_000)}`,
        last_name: 'Whit\u0000field 👷🏽‍♀️',
      });
      const name = `${parsed.first_name} ${parsed.last_name}`;
      await handle.db.insertInto('companies').values({ id: '1', name }).execute();
      const row = await handle.db.selectFrom('companies').select('name').executeTakeFirstOrThrow();
      expect(row.name).toBe(name);
      expect(storableString('a\u0000b', 10)).toBe('ab');
    } finally {
      await handle.close();
    }
  });
});
