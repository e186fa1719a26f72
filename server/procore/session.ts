import type { z } from 'zod';
import type { AuthSource, Method, ProcoreHttp, QueryValue } from './http';
import { type ListRequest, type Paged, paginate } from './pagination';
import { parseArrayWith, parseWith } from './schemas';

/**
 * What every endpoint module works with: the API host, one way to authenticate, and the company
 * the calls are for (sent as `Procore-Company-Id`, procore-api.md §1.5).
 */
export interface SessionContext {
  http: ProcoreHttp;
  auth: AuthSource;
  companyId: string | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
}

interface Call<S extends z.ZodType> {
  method: Method;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Names the value in schema errors. */
  label: string;
  schema: S;
  /** v2.0 bodies come as `{data: …}`. */
  envelope?: boolean;
  /** The response is a JSON array of `schema`. */
  array?: boolean;
  signal?: AbortSignal | undefined;
  idempotent?: boolean;
}

function unwrap(body: unknown, envelope: boolean | undefined): unknown {
  return envelope && body && typeof body === 'object' ? (body as { data?: unknown }).data : body;
}

export async function call<S extends z.ZodType>(
  ctx: SessionContext,
  c: Call<S> & { array: true },
): Promise<z.output<S>[]>;
export async function call<S extends z.ZodType>(ctx: SessionContext, c: Call<S>): Promise<z.output<S>>;
export async function call<S extends z.ZodType>(
  ctx: SessionContext,
  c: Call<S>,
): Promise<z.output<S> | z.output<S>[]> {
  const res = await ctx.http.request(
    {
      method: c.method,
      path: c.path,
      query: c.query,
      body: c.body,
      companyId: ctx.companyId,
      signal: c.signal,
      idempotent: c.idempotent,
    },
    ctx.auth,
  );
  const value = unwrap(res.body, c.envelope);
  const where = { label: c.label, method: c.method, path: c.path };
  return c.array ? parseArrayWith(c.schema, value, where) : parseWith(c.schema, value, where);
}

/** A request whose answer may be empty (204 on v2.0 deletes). */
export async function send(
  ctx: SessionContext,
  method: Method,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<void> {
  await ctx.http.request({ method, path, body, companyId: ctx.companyId, signal }, ctx.auth);
}

export function list<S extends z.ZodType>(
  ctx: SessionContext,
  request: Omit<ListRequest, 'companyId'>,
  item: S,
): Paged<z.output<S>> {
  return paginate(ctx.http, ctx.auth, { ...request, companyId: ctx.companyId }, item);
}

/** The company id checked once where a session is made, so paths can embed it. */
export function requireCompany(ctx: SessionContext): string {
  if (!ctx.companyId || !/^\d+$/.test(ctx.companyId))
    throw new Error(`not a Procore company id: ${ctx.companyId}`);
  return ctx.companyId;
}

/** Path segment for an id the caller passes (never lets `../` or a query slip into a path). */
export function idSegment(id: string | number): string {
  const s = String(id);
  if (!/^[0-9A-Za-z_-]+$/.test(s)) throw new Error(`not a Procore id: ${s}`);
  return s;
}
