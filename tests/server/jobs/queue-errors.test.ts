import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/db/connect';
import {
  type JobQueue,
  queueExecutor,
  startJobQueue,
  stopJobQueue,
  storableError,
} from '../../../server/jobs/queue';
import { describeEachDatabase, freshDatabase } from '../../helpers/db';

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Failures that would have ended the process, caught so the test can name them. */
let fatal: unknown[] = [];
const onFatal = (err: unknown) => fatal.push(err);
beforeEach(() => {
  fatal = [];
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
});
afterEach(() => {
  process.off('uncaughtException', onFatal);
  process.off('unhandledRejection', onFatal);
  expect(fatal).toEqual([]);
});

describeEachDatabase('job queue errors', ({ db }) => {
  it('stores a handler error holding a NUL and a lone surrogate without them', async () => {
    const errors: Error[] = [];
    const queue = await startJobQueue(db(), (err) => errors.push(err), { schedule: false });
    try {
      await queue.createQueue('nul-error');
      await queue.work('nul-error', { pollingIntervalSeconds: 0.5 }, async () => {
        throw new Error('Procore said: Dana\u0000 Whit\ud800field');
      });
      const id = await queue.send('nul-error', {}, { retryLimit: 0 });
      const job = await waitFor(async () => {
        const j = await queue.getJobById('nul-error', id!);
        return j?.state === 'failed' ? j : undefined;
      }, 'the job to fail');
      expect((job.output as { message: string }).message).toBe('Procore said: Dana Whitfield');
      expect(errors).toEqual([]);
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });
});

describe('job queue errors [pglite]', () => {
  let handle: DatabaseHandle;
  let queue: JobQueue | undefined;
  beforeEach(async () => {
    handle = await freshDatabase('pglite');
  });
  afterEach(async () => {
    if (queue) await stopJobQueue(queue, 1_000);
    await handle.close();
  });

  it('reports a job outcome it could not write instead of ending the process', async () => {
    let writesFail = false;
    const flaky: DatabaseHandle = {
      ...handle,
      executeSql: (text, values) =>
        writesFail && text.includes('completed_on = now()')
          ? Promise.reject(new Error('Connection terminated unexpectedly'))
          : handle.executeSql(text, values),
    };
    const errors: Error[] = [];
    queue = await startJobQueue(flaky, (err) => errors.push(err), { schedule: false });
    await queue.createQueue('lost-outcome');
    let ran = 0;
    await queue.work('lost-outcome', { pollingIntervalSeconds: 0.5 }, async () => {
      ran++;
      if (ran === 1) writesFail = true; // the database goes away as the first job finishes
    });
    await queue.send('lost-outcome', {});
    const reported = await waitFor(
      async () => errors.find((e) => /outcome/.test(e.message)),
      'the outcome failure to be reported',
    );
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(reported.message).toMatch(/Connection terminated unexpectedly/);

    // The queue keeps working once the database answers again.
    writesFail = false;
    const id = await queue.send('lost-outcome', {});
    await waitFor(async () => {
      const j = await queue!.getJobById('lost-outcome', id!);
      return j?.state === 'completed' ? j : undefined;
    }, 'the next job to complete');
  });
});

describe('queueExecutor', () => {
  it('gives pg-boss only Error rejections, and passes other failures through', async () => {
    const reported: Error[] = [];
    const execute = queueExecutor(
      () => Promise.reject('a string, not an Error'),
      (e) => reported.push(e),
    );
    const rejection = await execute('select 1', []).catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(Error);
    expect((rejection as Error).message).toBe('a string, not an Error');
    expect(reported).toEqual([]);
  });

  it('cleans the outcome pg-boss writes: no NUL, no lone surrogate, nothing unbounded', async () => {
    const seen: unknown[][] = [];
    const execute = queueExecutor(
      async (_text, values) => {
        seen.push(values ?? []);
        return { rows: [{ count: '1' }], rowCount: 1 };
      },
      () => {},
    );
    const sqlText = 'update pgboss.job set output = $3::jsonb where id in (select UNNEST($2::uuid[]))';
    await execute(sqlText, [
      'q',
      ['id'],
      { message: 'a\u0000b', 'k\u0000ey': 'x'.repeat(50_000), nested: { s: '\udc00' } },
    ]);
    const output = seen[0]![2] as Record<string, unknown>;
    expect(output.message).toBe('ab');
    expect((output.key as string).length).toBeLessThanOrEqual(10_000);
    expect(output.nested).toEqual({ s: '' });
    expect(JSON.stringify(output)).not.toMatch(/\\u0000/);
  });
});

describe('storableError', () => {
  it('keeps message, name, code and cause, storable and bounded, and drops the rest', () => {
    const cause = Object.assign(new Error('inner\u0000'), { code: 'ECONNRESET' });
    const err = Object.assign(new Error(`outer \u0000${'x'.repeat(5_000)}`, { cause }), {
      name: 'ProcoreError',
      body: { token: 'secret' },
    });
    const stored = storableError(err);
    expect(stored).toBeInstanceOf(Error);
    expect(stored.name).toBe('ProcoreError');
    expect(stored.message.startsWith('outer x')).toBe(true);
    expect(stored.message.length).toBe(2_000);
    expect(stored.stack?.includes('\u0000')).toBe(false);
    expect((stored as Error & { body?: unknown }).body).toBeUndefined();
    expect((stored.cause as Error).message).toBe('inner');
    expect((stored.cause as Error & { code?: string }).code).toBe('ECONNRESET');
    expect(storableError('plain text').message).toBe('plain text');
  });
});
