import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../../server/jobs/job';
import { Jobs } from '../../../server/jobs/jobs';
import { startJobQueue, stopJobQueue } from '../../../server/jobs/queue';
import { describeEachDatabase } from '../../helpers/db';

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeEachDatabase('jobs taken in batches', ({ db }) => {
  it('a job that throws fails alone: the others of its batch complete, and it is retried', async () => {
    const queue = await startJobQueue(db(), () => {}, { schedule: false });
    const jobs = new Jobs(queue);
    const attempts = new Map<number, number>();
    const job = defineJob({
      name: 'batch-isolation',
      payload: z.object({ n: z.number() }),
      queue: { retryLimit: 1, retryDelay: 0 },
      consume: { batchSize: 10, pollingIntervalSeconds: 0.5 },
      handle: async ({ n }) => {
        attempts.set(n, (attempts.get(n) ?? 0) + 1);
        if (n === 3) throw new Error('job 3 always fails');
      },
    });
    try {
      await jobs.createQueues([job]);
      const ids: string[] = [];
      for (let n = 0; n < 6; n++) ids.push((await jobs.send(job, { n }))!);
      await jobs.consume([job], {}, { schedule: false });
      const states = await waitFor(async () => {
        const all = await Promise.all(ids.map((id) => queue.getJobById(job.name, id)));
        const s = all.map((j) => j?.state);
        return s.every((x) => x === 'completed' || x === 'failed') ? s : undefined;
      }, 'every job to settle');
      expect(states).toEqual(['completed', 'completed', 'completed', 'failed', 'completed', 'completed']);
      // Each good job ran once; the failing one ran once more, on its own retry.
      expect([...attempts.entries()].sort(([a], [b]) => a - b)).toEqual([
        [0, 1],
        [1, 1],
        [2, 1],
        [3, 2],
        [4, 1],
        [5, 1],
      ]);
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });
});

describeEachDatabase('jobs worked together', ({ db }) => {
  it('a job with handleBatch gets its batch in one call, and a job it answers an error for fails alone', async () => {
    const queue = await startJobQueue(db(), () => {}, { schedule: false });
    const jobs = new Jobs(queue);
    const calls: number[][] = [];
    const job = defineJob({
      name: 'batch-together',
      payload: z.object({ n: z.number() }),
      queue: { retryLimit: 0 },
      consume: { batchSize: 10, pollingIntervalSeconds: 0.5 },
      handle: async () => {
        throw new Error('handle is not used when handleBatch is there');
      },
      handleBatch: async (batch) => {
        calls.push(batch.map((j) => j.payload.n));
        return batch.map((j) => (j.payload.n === 2 ? new Error('job 2 fails') : undefined));
      },
    });
    try {
      await jobs.createQueues([job]);
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push((await jobs.send(job, { n }))!);
      await jobs.consume([job], {}, { schedule: false });
      const states = await waitFor(async () => {
        const all = await Promise.all(ids.map((id) => queue.getJobById(job.name, id)));
        const s = all.map((j) => j?.state);
        return s.every((x) => x === 'completed' || x === 'failed') ? s : undefined;
      }, 'every job to settle');
      expect(states).toEqual(['completed', 'completed', 'failed', 'completed', 'completed']);
      expect(calls.map((c) => [...c].sort())).toEqual([[0, 1, 2, 3, 4]]);
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });
});

describeEachDatabase('jobs sent in a steady stream', ({ db }) => {
  it('are taken in batches when the job asks for spacing between fetches', async () => {
    const queue = await startJobQueue(db(), () => {}, { schedule: false });
    const jobs = new Jobs(queue);
    const batches: number[] = [];
    const job = defineJob({
      name: 'batch-spacing',
      payload: z.object({ n: z.number() }),
      consume: { batchSize: 50, pollingIntervalSeconds: 0.5, batchSpacingMs: 400 },
      handle: async () => {},
      handleBatch: async (batch) => {
        batches.push(batch.length);
        return batch.map(() => undefined);
      },
    });
    try {
      await jobs.createQueues([job]);
      await jobs.consume([job], {}, { schedule: false });
      // One job every 20 ms for 400 ms: without spacing each send wakes the idle consumer.
      for (let n = 0; n < 20; n++) {
        await jobs.send(job, { n });
        await new Promise((r) => setTimeout(r, 20));
      }
      await waitFor(
        async () => (batches.reduce((a, b) => a + b, 0) === 20 ? true : undefined),
        'every job to run',
      );
      expect(batches.length).toBeLessThanOrEqual(5);
      expect(batches[0]).toBe(1); // the first, sent to an idle consumer, starts at once
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });
});
