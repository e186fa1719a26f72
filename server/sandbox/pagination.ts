import type { FastifyReply, FastifyRequest } from 'fastify';

export interface PageRequest {
  page: number;
  perPage: number;
}

/**
 * `page` (1-based) and `per_page` (procore-api.md §2.4). Values that are not positive integers
 * fall back to the defaults; `per_page` above the maximum is clamped and the `Per-Page` header
 * tells the caller what it got.
 */
export function pageRequest(query: unknown, defaultPerPage: number, maxPerPage: number): PageRequest {
  const q = (query ?? {}) as Record<string, unknown>;
  const page = positiveInt(q.page) ?? 1;
  const perPage = Math.min(positiveInt(q.per_page) ?? defaultPerPage, maxPerPage);
  return { page, perPage };
}

function positiveInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 ? n : undefined;
}

/**
 * Slices one page and sets `Total`, `Per-Page` and `Link`. Link relations follow Procore's
 * documented example (procore-api.md §2.4; `procore-oas/INDEX.md` "Pagination"): relation order
 * first, prev, last, next; page 1 has only last and next; the last page omits next (and last);
 * with a single page there is no Link header at all.
 */
export function paginate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  items: readonly T[],
  { page, perPage }: PageRequest,
  options: { links?: boolean } = {},
): T[] {
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  reply.header('Total', String(total));
  reply.header('Per-Page', String(perPage));
  if (options.links !== false) {
    const rels: Array<[string, number]> = [];
    if (page > 1) {
      rels.push(['first', 1]);
      rels.push(['prev', Math.min(page - 1, totalPages)]);
    }
    if (page < totalPages) {
      rels.push(['last', totalPages]);
      rels.push(['next', page + 1]);
    }
    if (rels.length > 0) {
      reply.header(
        'Link',
        rels.map(([rel, p]) => `<${pageUrl(request, p, perPage)}>; rel="${rel}"`).join(', '),
      );
    }
  }
  const start = (page - 1) * perPage;
  return items.slice(start, start + perPage);
}

function pageUrl(request: FastifyRequest, page: number, perPage: number): string {
  const host = request.headers.host ?? 'localhost';
  const url = new URL(request.url, `${request.protocol}://${host}`);
  url.searchParams.set('page', String(page));
  url.searchParams.set('per_page', String(perPage));
  return url.toString();
}
