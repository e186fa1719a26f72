import type { z } from 'zod';
import { mapInSlices } from '../event-loop';
import { ProcoreSchemaError } from './errors';
import type { AuthSource, ProcoreHttp, QueryValue } from './http';
import { parseWith } from './schemas';

/**
 * Page-by-page reading of Procore lists (procore-api.md §2.4): `page` (1-based) and `per_page`
 * in, `Total`, `Per-Page` and `Link` (`rel="next"`, omitted on the last page) out. The iterator
 * holds at most two pages (the caller's and the next one on its way), so a 50,000-user company
 * never sits in memory whole.
 *
 * `per_page`: Procore recommends "at or below 2,000" (older docs allowed 10,000; the v1 default
 * is undocumented). We ask for 1,000: every request counts against the rate limit (§7), so
 * big pages matter, yet half the recommended ceiling keeps a page's response (~1–2 MB of users)
 * well clear of the 408 timeouts Procore gives large reads (§8) and of our own request timeout.
 * v2.0 endpoints cap pages at 100 (§2.4), so those lists ask for 100.
 */
export const DEFAULT_PER_PAGE = 1000;
export const V2_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  /** 1-based page number. */
  page: number;
  /** Procore's `Total` header, when sent. */
  total: number | undefined;
}

export interface ListRequest {
  path: string;
  query?: Record<string, QueryValue>;
  companyId?: string;
  /** Names items in schema errors: `users` → `users[3].is_employee`. */
  label: string;
  perPage?: number;
  /** v2.0 lists wrap the array in `{data: [...]}`. */
  envelope?: boolean;
  signal?: AbortSignal;
}

/** A Procore list: iterate items with `for await`, or pages with `pages()`. */
export interface Paged<T> extends AsyncIterable<T> {
  pages(): AsyncGenerator<Page<T>>;
  /** Collects everything: only for lists known to be small (classifications, hooks). */
  toArray(): Promise<T[]>;
}

/** The `rel="next"` target of an RFC 8288 `Link` header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

export function paginate<S extends z.ZodType>(
  http: ProcoreHttp,
  auth: AuthSource,
  request: ListRequest,
  item: S,
): Paged<z.output<S>> {
  const perPage = request.perPage ?? (request.envelope ? V2_PER_PAGE : DEFAULT_PER_PAGE);

  // The next page is asked for as soon as the current one is read, so Procore answers it while the
  // caller works on this one (a run's pages cost the slower of the two, not their sum). One page
  // ahead at most; a caller that stops early cancels it.
  async function* pages(): AsyncGenerator<Page<z.output<S>>> {
    const ahead = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, ahead.signal]) : ahead.signal;
    const visited = new Set<string>();
    let page = 0;
    let seen = 0;
    const fetchPage = (target: { path: string; query?: Record<string, QueryValue> }) => {
      const url = http.url(target.path, target.query);
      const pending = visited.has(url)
        ? Promise.reject(new ProcoreSchemaError(`${request.label} pages`, 'the Link header loops back'))
        : http.request(
            { method: 'GET', path: target.path, query: target.query, companyId: request.companyId, signal },
            auth,
          );
      visited.add(url);
      // Awaited below; until then a failure must not count as unhandled.
      pending.catch(() => {});
      return pending;
    };
    let pending: ReturnType<typeof fetchPage> | undefined = fetchPage({
      path: request.path,
      query: { ...request.query, page: 1, per_page: perPage },
    });
    try {
      while (pending) {
        const res = await pending;
        pending = undefined;
        page += 1;
        const raw = request.envelope ? (res.body as { data?: unknown } | null)?.data : res.body;
        const context = { method: 'GET', path: request.path };
        if (!Array.isArray(raw)) {
          throw new ProcoreSchemaError(
            request.label,
            `expected a list, received ${raw === null ? 'null' : typeof raw}`,
            context,
          );
        }
        const items = await mapInSlices(raw, (v, i) =>
          parseWith(item, v, { ...context, label: `${request.label}[${seen + i}]` }),
        );
        const totalHeader = res.headers.get('total');
        const total = totalHeader !== null && totalHeader !== '' ? Number(totalHeader) : undefined;
        seen += items.length;

        let next: { path: string; query?: Record<string, QueryValue> } | undefined;
        const link = nextLink(res.headers.get('link'));
        if (link) next = { path: link };
        else if (res.headers.has('link'))
          next = undefined; // Link without next: the last page (§2.4)
        else if (total !== undefined && Number.isFinite(total))
          next = seen < total && items.length > 0 ? nextPage() : undefined;
        else next = items.length >= perPage ? nextPage() : undefined;
        if (next) pending = fetchPage(next);
        yield { items, page, total };
      }
    } finally {
      if (pending) ahead.abort();
    }

    function nextPage() {
      return { path: request.path, query: { ...request.query, page: page + 1, per_page: perPage } };
    }
  }

  return {
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const p of pages()) yield* p.items;
    },
    async toArray() {
      const all: z.output<S>[] = [];
      for await (const p of pages()) all.push(...p.items);
      return all;
    },
  };
}
