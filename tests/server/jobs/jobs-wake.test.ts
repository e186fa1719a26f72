import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../../server/jobs/job';
import { Jobs } from '../../../server/jobs/jobs';
import { startJobQueue, stopJobQueue } from '../../../server/jobs/queue';
import { describeEachDatabase } from '../../helpers/db';

/** Longer than any test here may take: a job that waited for a poll would never be seen. */
const NEVER_POLLS = 3_600;

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describeEachDatabase('queued jobs start without waiting for a poll', ({ db }) => {
  it('a consumer that finished a job takes the next waiting one at once, until the queue is empty', async () => {
    const queue = await startJobQueue(db(), () => {}, { schedule: false });
    const jobs = new Jobs(queue);
    // Another process's sends: they wake nobody here.
    const elsewhere = new Jobs(queue);
    const allSent = gate();
    const done: number[] = [];
    const everyDone = gate();
    const job = defineJob({
      name: 'drain-queue',
      payload: z.object({ n: z.number() }),
      consume: { consumers: 1, pollingIntervalSeconds: NEVER_POLLS },
      handle: async ({ n }) => {
        if (n === 0) await allSent.opened;
        done.push(n);
        if (done.length === 8) everyDone.open();
      },
    });
    try {
      await jobs.createQueues([job]);
      await jobs.consume([job], {}, { schedule: false });
      await jobs.send(job, { n: 0 });
      for (let n = 1; n < 8; n++) await elsewhere.send(job, { n });
      allSent.open();
      await everyDone.opened;
      expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });

  it('a send wakes a free consumer while another is busy with a long job', async () => {
    const queue = await startJobQueue(db(), () => {}, { schedule: false });
    const jobs = new Jobs(queue);
    const longStarted = gate();
    const shortDone = gate();
    const order: string[] = [];
    const job = defineJob({
      name: 'wake-free-consumer',
      payload: z.object({ kind: z.enum(['long', 'short']) }),
      consume: { consumers: 2, pollingIntervalSeconds: NEVER_POLLS },
      handle: async ({ kind }) => {
        if (kind === 'long') {
          longStarted.open();
          // Holds its consumer until the short job, queued after it, has run.
          await shortDone.opened;
          order.push('long');
        } else {
          order.push('short');
          shortDone.open();
        }
      },
    });
    try {
      await jobs.createQueues([job]);
      await jobs.consume([job], {}, { schedule: false });
      await jobs.send(job, { kind: 'long' });
      await longStarted.opened;
      await jobs.send(job, { kind: 'short' });
      await shortDone.opened;
      await expect.poll(() => order).toEqual(['short', 'long']);
    } finally {
      await stopJobQueue(queue, 2_000);
    }
  });
});
