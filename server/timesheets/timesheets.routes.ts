import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { companyParamsSchema as params } from '../api.schemas';
import { requireAdmin, sessionOf } from '../auth/request-context';
import { notFound } from '../errors';
import { isProcoreError } from '../procore/errors';
import { procoreAppError } from '../procore/failure-policy';
import type { ProcoreCostCode } from '../procore/schemas';
import { pageOf, sendLogFile } from '../replies';
import { listRuns, listTimesheetEntries, requireRun } from '../runs/runs.service';
import type { Services } from '../services';
import { knownTimeZone, logFileName } from '../sync/log-text';
import { logQuerySchema } from '../sync/sync.schemas';
import { seedSandboxWeek } from './sandbox-seed';
import { assertConnected, requestManualSend } from './send.service';
import { renderSendLog, sendEntryToApi, sendRunToApi } from './send-log';
import {
  sendEntryListSchema,
  sendEntryQuerySchema,
  sendRunListQuerySchema,
  sendRunListSchema,
  sendRunParamsSchema,
  sendRunResponseSchema,
} from './send-log.schemas';
import {
  costCodeListSchema,
  projectListSchema,
  projectParamsSchema,
  sendRequestSchema,
  timesheetInputSchema,
  timesheetListSchema,
  timesheetParamsSchema,
  timesheetPatchSchema,
  timesheetResponseSchema,
  timesheetWeekQuerySchema,
} from './timesheets.schemas';
import { createTimesheet, deleteTimesheet, listWeek, updateTimesheet } from './timesheets.service';

/**
 * The Timesheets page: Procore projects to pick from, the week grid (anyone signed in records and
 * corrects time), Sync Timesheets (an admin), and Timesheet Sync Logs (anyone signed in).
 */
export function timesheetsRoutes(services: Pick<Services, 'db' | 'jobs' | 'companies' | 'config' | 'log'>) {
  const { db, companies } = services;

  async function projects(companyId: string) {
    const procore = await companies.procoreFor(companyId);
    const out: Array<{ id: string; name: string; projectNumber: string | null }> = [];
    try {
      for await (const p of procore.listProjects()) {
        if (p.active !== false) out.push({ id: p.id, name: p.name, projectNumber: p.project_number ?? null });
      }
    } catch (err) {
      if (isProcoreError(err)) throw procoreAppError(err);
      throw err;
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async function costCodes(companyId: string, projectId: string) {
    const procore = await companies.procoreFor(companyId);
    const all: ProcoreCostCode[] = [];
    try {
      for await (const c of procore.listCostCodes(projectId)) all.push(c);
    } catch (err) {
      if (isProcoreError(err)) throw procoreAppError(err);
      throw err;
    }
    const parents = new Set(all.flatMap((c) => (c.parent ? [c.parent.id] : [])));
    return all
      .filter((c) => !parents.has(c.id))
      .map((c) => ({ id: c.id, code: c.full_code ?? c.code ?? '', name: c.name ?? '' }))
      .sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
  }

  async function timesheetRun(companyId: string, runId: string) {
    const run = await requireRun(db, companyId, runId);
    if (run.kind !== 'timesheets') throw notFound('Timesheet send');
    return run;
  }

  return async function timesheetsRoutesPlugin(root: FastifyInstance) {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/companies/:companyId/projects',
      { schema: { params, response: { 200: projectListSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        const list = await projects(companyId);
        // Sandbox mode: a first visit finds a crew and a week to look at (a no-op once done).
        await seedSandboxWeek(services, companyId, list.slice(0, 2));
        return { projects: list };
      },
    );

    app.get(
      '/companies/:companyId/projects/:projectId/cost-codes',
      { schema: { params: projectParamsSchema, response: { 200: costCodeListSchema } } },
      async (request) => ({
        costCodes: await costCodes(sessionOf(request).companyId, request.params.projectId),
      }),
    );

    app.get(
      '/companies/:companyId/timesheets',
      { schema: { params, querystring: timesheetWeekQuerySchema, response: { 200: timesheetListSchema } } },
      async (request) => ({ timesheets: await listWeek(db, sessionOf(request).companyId, request.query) }),
    );

    app.post(
      '/companies/:companyId/timesheets',
      { schema: { params, body: timesheetInputSchema, response: { 201: timesheetResponseSchema } } },
      async (request, reply) => {
        const timesheet = await createTimesheet(db, sessionOf(request).companyId, request.body);
        return reply.code(201).send({ timesheet });
      },
    );

    app.patch(
      '/companies/:companyId/timesheets/:timesheetId',
      {
        schema: {
          params: timesheetParamsSchema,
          body: timesheetPatchSchema,
          response: { 200: timesheetResponseSchema },
        },
      },
      async (request) => {
        const { companyId } = sessionOf(request);
        return { timesheet: await updateTimesheet(db, companyId, request.params.timesheetId, request.body) };
      },
    );

    app.delete(
      '/companies/:companyId/timesheets/:timesheetId',
      { schema: { params: timesheetParamsSchema, response: { 204: z.null() } } },
      async (request, reply) => {
        await deleteTimesheet(db, sessionOf(request).companyId, request.params.timesheetId);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/companies/:companyId/timesheet-sends',
      { schema: { params, body: sendRequestSchema, response: { 202: sendRunResponseSchema } } },
      async (request, reply) => {
        const session = requireAdmin(request);
        assertConnected(await companies.find(session.companyId));
        const { projectId, from, to } = request.body;
        const name = await projects(session.companyId)
          .then((list) => list.find((p) => p.id === projectId)?.name ?? null)
          .catch(() => null);
        const { run, created } = await requestManualSend(services, {
          companyId: session.companyId,
          projectId,
          projectName: name,
          from,
          to,
          startedByUserId: session.procoreUserId,
          startedByName: session.userName,
        });
        return reply.code(202).send({ run: sendRunToApi(run), created });
      },
    );

    app.get(
      '/companies/:companyId/timesheet-sends',
      { schema: { params, querystring: sendRunListQuerySchema, response: { 200: sendRunListSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        const { cursor, limit } = request.query;
        const { page, nextCursor } = pageOf(
          await listRuns(db, companyId, { beforeId: cursor, limit: limit + 1, kind: 'timesheets' }),
          limit,
        );
        return { runs: page.map(sendRunToApi), nextCursor };
      },
    );

    app.get(
      '/companies/:companyId/timesheet-sends/:runId',
      { schema: { params: sendRunParamsSchema, response: { 200: sendRunResponseSchema } } },
      async (request) => {
        const { companyId } = sessionOf(request);
        return { run: sendRunToApi(await timesheetRun(companyId, request.params.runId)) };
      },
    );

    app.get(
      '/companies/:companyId/timesheet-sends/:runId/entries',
      {
        schema: {
          params: sendRunParamsSchema,
          querystring: sendEntryQuerySchema,
          response: { 200: sendEntryListSchema },
        },
      },
      async (request) => {
        const { companyId } = sessionOf(request);
        const run = await timesheetRun(companyId, request.params.runId);
        const { action, q, cursor, limit } = request.query;
        const { page, nextCursor } = pageOf(
          await listTimesheetEntries(db, companyId, run.id, {
            action,
            q: q || undefined,
            afterId: cursor,
            limit: limit + 1,
          }),
          limit,
        );
        return { entries: page.map(sendEntryToApi), nextCursor };
      },
    );

    app.get(
      '/companies/:companyId/timesheet-sends/:runId/log.txt',
      { schema: { params: sendRunParamsSchema, querystring: logQuerySchema } },
      async (request, reply) => {
        const { companyId } = sessionOf(request);
        const run = await timesheetRun(companyId, request.params.runId);
        const timeZone = knownTimeZone(request.query.tz) ?? 'UTC';
        const company = await companies.find(companyId);
        const name = company?.name ?? `Company ${companyId}`;
        const entries = (await listTimesheetEntries(db, companyId, run.id, { limit: 1_000_000 })).map(
          sendEntryToApi,
        );
        return sendLogFile(
          reply,
          logFileName(name, run, timeZone, 'timesheet-sync'),
          renderSendLog(run, name, entries, { timeZone }),
        );
      },
    );
  };
}
