/**
 * Reading Procore-style query parameters: `filters[x]=v`, arrays as `filters[x][]=1&filters[x][]=2`
 * or comma-separated (procore-api.md §2.3), and ISO 8601 ranges `A...B`.
 */
type Query = Record<string, unknown>;

export function queryString(query: unknown, name: string): string | undefined {
  const q = (query ?? {}) as Query;
  const v = q[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

export function queryList(query: unknown, name: string): string[] {
  const q = (query ?? {}) as Query;
  const out: string[] = [];
  for (const key of [name, `${name}[]`]) {
    const v = q[key];
    const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
    for (const item of values) {
      if (typeof item === 'string')
        out.push(
          ...item
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
    }
  }
  return out;
}

export function queryIntList(query: unknown, name: string): number[] | 'invalid' {
  const list = queryList(query, name);
  if (list.some((s) => !/^\d+$/.test(s))) return 'invalid';
  return list.map(Number);
}

export function queryBool(query: unknown, name: string): boolean | undefined {
  const v = queryString(query, name);
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

export interface TimeRange {
  from: number;
  to: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * `filters[updated_at]` / `filters[created_at]` (procore-api.md §2.3): `YYYY-MM-DD...YYYY-MM-DD`
 * (whole days, UTC), or date-times with `Z` or an offset. Both ends are inclusive. A single value
 * without `...` is read as that whole day (a date) or that instant onwards (a date-time).
 */
export function parseRange(value: string): TimeRange | 'invalid' {
  const parts = value.split('...');
  if (parts.length > 2) return 'invalid';
  const [a, b] = parts.map((p) => p.trim().replace(' ', '+'));
  const from = a ? boundary(a, 'start') : undefined;
  if (from === undefined || Number.isNaN(from)) return 'invalid';
  if (parts.length === 1) {
    return { from, to: DATE.test(a ?? '') ? (boundary(a ?? '', 'end') ?? from) : Number.POSITIVE_INFINITY };
  }
  const to = b ? boundary(b, 'end') : undefined;
  if (to === undefined || Number.isNaN(to)) return 'invalid';
  return { from, to };
}

function boundary(text: string, side: 'start' | 'end'): number | undefined {
  if (DATE.test(text)) {
    const day = Date.parse(`${text}T00:00:00Z`);
    return side === 'start' ? day : day + 86_400_000 - 1;
  }
  if (DATETIME.test(text)) return Date.parse(text);
  return undefined;
}
