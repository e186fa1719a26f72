import { createRng } from '../../../server/sandbox/prng';

/**
 * Generators of bodies that are not Procore webhook deliveries, from a fixed-seed PRNG so a
 * failure replays exactly (random JSON, wrong types, missing fields, huge strings,
 * empty, not JSON, wrong content type).
 */
export interface BadRequest {
  kind: string;
  contentType: string | undefined;
  payload: string;
  authorization: string;
}

/** The sandbox's seeded generator, with `int(n)` in [0, n). */
export function prng(seed: number) {
  const rng = createRng(seed);
  return { next: rng.next, int: (n: number) => (n <= 0 ? 0 : rng.int(0, n - 1)), pick: rng.pick };
}
type Rng = ReturnType<typeof prng>;

function randomString(r: Rng, max: number): string {
  const pool = ['a', 'Z', '0', ' ', '"', '\\', '\n', 'é', '😀', '\u0000', '\ud800', '{', '}', '<', '%'];
  let s = '';
  const n = r.int(max);
  for (let i = 0; i < n; i++) s += r.pick(pool);
  return s;
}

function randomJson(r: Rng, depth: number): unknown {
  const k = r.int(depth > 3 ? 5 : 7);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 3:
    case 4:
      return randomString(r, 40);
    case 5:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        'id',
        'company_id',
        'resource_id',
        'reason',
        'resource_type',
        'api_version',
        'x',
        'metadata',
      ];
      for (let i = 0; i < r.int(5); i++) o[r.pick(keys)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

/** Values each v4.0 field may not hold (procore-api.md §6.2: ids are digit strings, the rest text). */
const NOT_AN_ID: unknown[] = [
  'abc',
  '',
  -5,
  1.5,
  1e300,
  '99999999999999999999',
  '9223372036854775808',
  true,
  [],
  {},
  '1e5',
  ' 12',
  null,
];
const NOT_TEXT: unknown[] = ['', 5, true, [], {}, null, [1, 2], { id: 1 }];
const WRONG_VALUES: Record<string, unknown[]> = {
  id: NOT_TEXT,
  company_id: NOT_AN_ID,
  resource_id: NOT_AN_ID,
  reason: NOT_TEXT,
  resource_type: NOT_TEXT,
  timestamp: NOT_TEXT.filter((v) => v !== ''),
};

function nested(depth: number): unknown {
  let v: unknown = 'deep';
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

export function badRequest(r: Rng, valid: () => Record<string, unknown>, secret: string): BadRequest {
  const json = (payload: unknown, kind: string, authorization = secret): BadRequest => ({
    kind,
    contentType: 'application/json',
    payload: JSON.stringify(payload),
    authorization,
  });
  const base = valid();
  switch (r.int(12)) {
    case 0:
      return json(randomJson(r, 0), 'random json');
    case 1: {
      const field = r.pick(Object.keys(WRONG_VALUES));
      const value = r.pick(WRONG_VALUES[field]!);
      return json({ ...base, [field]: value }, `wrong type: ${field}`);
    }
    case 2: {
      const field = r.pick(['id', 'company_id', 'resource_id', 'reason', 'resource_type', 'timestamp']);
      const { [field]: _gone, ...rest } = base;
      return json(rest, `missing: ${field}`);
    }
    case 3:
      return json({ ...base, resource_type: 'x'.repeat(200 + r.int(20_000)) }, 'huge string field');
    case 4:
      return json({ ...base, junk: 'y'.repeat(70_000 + r.int(50_000)) }, 'huge body');
    case 5:
      return { kind: 'empty', contentType: 'application/json', payload: '', authorization: secret };
    case 6:
      return {
        kind: 'not json',
        contentType: 'application/json',
        payload: r.pick([
          '{',
          'abc',
          '{"id":',
          '[1,2',
          "{'a':1}",
          '\u0000',
          'null null',
          JSON.stringify(base).slice(0, -1),
        ]),
        authorization: secret,
      };
    case 7:
      return {
        kind: 'wrong content type',
        contentType: r.pick([
          'text/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
          'image/png',
        ]),
        payload: JSON.stringify(base),
        authorization: secret,
      };
    case 8:
      return json(
        { ...base, note: r.pick(['nul \u0000 here', 'lone \ud800 surrogate', '\udfff']) },
        'unstorable text',
      );
    case 9:
      return json({ ...base, metadata: nested(40 + r.int(3000)) }, 'deep nesting');
    case 10:
      return {
        kind: 'prototype poisoning',
        contentType: 'application/json',
        payload: `{"__proto__":{"polluted":true},${JSON.stringify(base).slice(1)}`,
        authorization: secret,
      };
    default:
      return json(base, 'wrong secret', r.pick(['', 'Bearer nope', secret.slice(0, -1), `${secret} `]));
  }
}
