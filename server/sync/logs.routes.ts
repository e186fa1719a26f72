import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sessionOf } from '../auth/request-context';
import { findCompany } from '../companies/companies.service';
import { pageOf, sendLogFile } from '../replies';
import { eachEntryPage, findPersonEntries, listEntries, listRuns, requireRun } from '../runs/runs.service';
import type { Services } from '../services';
import { knownTimeZone, logFileName, RunLogLines, runLogPieces } from './log-text';
import { entryToApi, matchToApi, runToApi } from './runs.view';
import {
  companyParamsSchema,
  entryListSchema,
  entryQuerySchema,
  logQuerySchema,
  runListQuerySchema,
  runListSchema,
  runParamsSchema,
  runResponseSchema,
} from './sync.schemas';

/** A search across runs shows this many of each run's matching people. */
const MATCHES_PER_RUN = 5;

/** The .txt reads a run's entries this many at a time. */
const LOG_PAGE_SIZE = 2000;

/**
 * User Sync Logs (seed.md): every signed-in user of the company may read
 * them. Every query carries the session's company id, so another company's run is a 404.
 */
export function logsRoutes({ db }: Pick<Services, 'db'>) {
  return async function logsRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/companies/:companyId/syncs',
      {
        schema: {
          params: companyParamsSchema,
          querystring: runListQuerySchema,
          response: { 200: runListSchema },
        },
      },
      async (request) => {
        const { companyId } = sessionOf(request);
        const { cursor, limit, trigger, status } = request.query;
        const person = request.query.q || undefined;
        const { page, nextCursor } = pageOf(
          await listRuns(db, companyId, { beforeId: cursor, limit: limit + 1, trigger, status, person }),
          limit,
        );
        if (!person) return { runs: page.map(runToApi), nextCursor };
        const found = await findPersonEntries(
          db,
          companyId,
          page.map((r) => r.id),
          person,
          MATCHES_PER_RUN,
        );
        return {
          runs: page.map((run) => ({
            ...runToApi(run),
            matches: found.filter((e) => e.run_id === run.id).map(matchToApi),
          })),
          nextCursor,
        };
      },
    );

    app.get(
      '/companies/:companyId/syncs/:runId',
      { schema: { params: runParamsSchema, response: { 200: runResponseSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        return { run: runToApi(await requireRun(db, companyId, request.params.runId)) };
      },
    );

    app.get(
      '/companies/:companyId/syncs/:runId/entries',
      {
        schema: {
          params: runParamsSchema,
          querystring: entryQuerySchema,
          response: { 200: entryListSchema },
        },
      },
      async (request) => {
        const { companyId } = sessionOf(request);
        const run = await requireRun(db, companyId, request.params.runId);
        const { action, q, cursor, limit } = request.query;
        const { page, nextCursor } = pageOf(
          await listEntries(db, companyId, run.id, {
            action,
            q: q || undefined,
            afterId: cursor,
            limit: limit + 1,
          }),
          limit,
        );
        return { entries: page.map(entryToApi), nextCursor };
      },
    );

    app.get(
      '/companies/:companyId/syncs/:runId/log.txt',
      { schema: { params: runParamsSchema, querystring: logQuerySchema } },
      async (request, reply) => {
        const { companyId } = sessionOf(request);
        const run = await requireRun(db, companyId, request.params.runId);
        // Times and the file's date in the viewer's zone (the browser sends it); UTC otherwise.
        const timeZone = knownTimeZone(request.query.tz) ?? 'UTC';
        const company = await findCompany(db, companyId);
        const name = company?.name ?? `Company ${companyId}`;
        // Every page is read before the reply starts, so a failed read is an error, not half a file.
        const people = new RunLogLines();
        for await (const page of eachEntryPage(db, companyId, run.id, LOG_PAGE_SIZE)) people.add(page);
        return sendLogFile(
          reply,
          logFileName(name, run, timeZone),
          runLogPieces(run, name, people, { timeZone }),
        );
      },
    );
  };
}
