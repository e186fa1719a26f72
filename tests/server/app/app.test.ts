import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppError } from '../../../server/errors';
import { buildTestApp } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';

describeEachDatabase('app basics', ({ db }) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp(db());
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers /healthz and /readyz once migrated', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready' });
  });

  it('lets only Procore and the sandbox frame it', async () => {
    const res = await app.inject('/healthz');
    expect(res.headers['content-security-policy']).toContain(
      "frame-ancestors 'self' https://app.procore.com https://us02.procore.com",
    );
    expect(res.headers['content-security-policy']).toContain('http://127.0.0.1:4000');
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers an unknown route with the error shape', async () => {
    const res = await app.inject('/api/nowhere');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/nowhere.' } });
  });
});

describeEachDatabase('error handler', ({ db }) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // A throwaway app with routes that fail, to see what a caller gets.
    app = await buildTestApp(db());
  });
  afterAll(async () => {
    await app.close();
  });

  it('hides the message of a 5xx and keeps it for a known 4xx', async () => {
    const { default: Fastify } = await import('fastify');
    const { errorHandler } = await import('../../../server/error-handler');
    const probe = Fastify({ logger: false });
    probe.setErrorHandler(errorHandler);
    probe.get('/boom', async () => {
      throw new Error('password=hunter2 in the database URL');
    });
    probe.get('/known', async () => {
      throw new AppError('forbidden', 'Only company admins can change settings.');
    });
    const boom = await probe.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('hunter2');
    expect(boom.json()).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' },
    });
    const known = await probe.inject('/known');
    expect(known.statusCode).toBe(403);
    expect(known.json()).toEqual({
      error: { code: 'forbidden', message: 'Only company admins can change settings.' },
    });
    await probe.close();
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it("shows Procore's own sentence when Procore refuses during a request", async () => {
    const { default: Fastify } = await import('fastify');
    const { errorHandler } = await import('../../../server/error-handler');
    const { ProcoreForbiddenError, ProcoreNotConnectedError, ProcoreUnavailableError } = await import(
      '../../../server/procore/errors'
    );
    const probe = Fastify({ logger: false });
    probe.setErrorHandler(errorHandler);
    const refusals = {
      forbidden: new ProcoreForbiddenError('The app may not read this company’s directory.'),
      down: new ProcoreUnavailableError('Procore did not answer after 5 attempts.', 5, false),
      gone: new ProcoreNotConnectedError('Worker Sync is not installed in this company.'),
    };
    for (const [path, err] of Object.entries(refusals)) {
      probe.get(`/${path}`, async () => {
        throw err;
      });
    }
    const answers = await Promise.all(Object.keys(refusals).map((p) => probe.inject(`/${p}`)));
    expect(answers.map((a) => [a.statusCode, a.json().error])).toEqual([
      [502, { code: 'procore_refused', message: 'The app may not read this company’s directory.' }],
      [503, { code: 'procore_unavailable', message: 'Procore did not answer after 5 attempts.' }],
      [409, { code: 'not_connected', message: 'Worker Sync is not installed in this company.' }],
    ]);
    await probe.close();
  });
});

describeEachDatabase('client-side pages', ({ db }) => {
  it('answers a reload of a page of the frame with the app, and an unknown API path with JSON', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const webDir = mkdtempSync(join(tmpdir(), 'pws-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Worker Sync</title>');
    const app = await buildTestApp(db(), { webDir });
    try {
      const page = await app.inject('/runs/42?company_id=4280001');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Worker Sync');
      expect((await app.inject('/api/companies/1/nowhere')).json().error.code).toBe('not_found');
      expect((await app.inject('/auth/nowhere')).json().error.code).toBe('not_found');
      expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    } finally {
      await app.close();
      rmSync(webDir, { recursive: true, force: true });
    }
  });
});
