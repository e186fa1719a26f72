import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { leaseHeld, processLeaseKey } from '../../../server/db/process-lease';
import { INTERRUPTED_REASON } from '../../../server/procore/failure-policy';
import { insertQueuedRun } from '../../../server/runs/runs.repository';
import { finishRun } from '../../../server/runs/runs.service';
import type { UserDirectory } from '../../../server/sync/directory';
import { requestSync } from '../../../server/sync/sync.service';
import { testServices } from '../../helpers/app';
import { describeEachDatabase } from '../../helpers/db';
import { memoryDirectory, newCompany, procoreUser } from '../../helpers/sync-factories';

/** A run's process is known dead the moment it is gone: no heartbeat timeout, no waiting. */
describeEachDatabase('interrupted runs', ({ db, backend }) => {
  // A lease key nobody holds: the process that owned it is gone (killed, restarted).
  const DEAD_OWNER = '7';

  const runningRun = async (companyId: string, ownerKey: string | null) => {
    const queued = await insertQueuedRun(db().db, {
      kind: 'users',
      companyId,
      trigger: 'manual',
      mode: 'full',
      startedByUserId: null,
      startedByName: null,
      now: new Date(),
    });
    const now = new Date();
    await db()
      .db.updateTable('sync_runs')
      .set({ status: 'running', started_at: now, heartbeat_at: now, owner_key: ownerKey })
      .where('id', '=', queued!.id)
      .execute();
    return queued!.id;
  };
  const runRow = (id: string) =>
    db().db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('recovery at start ends a run of a dead process at once, even with a fresh heartbeat', async () => {
    const services = await testServices(db());
    try {
      const company = await newCompany(db().db);
      const dead = await runningRun(company.id, DEAD_OWNER);
      const recovered = await services.recoverRuns();
      expect(recovered).toContain(dead);
      expect(await runRow(dead)).toMatchObject({ status: 'failed', status_reason: INTERRUPTED_REASON });
    } finally {
      await services.close();
    }
  });

  it('Sync never hands back a run whose process is gone: it ends it and queues a new one', async () => {
    const services = await testServices(db());
    try {
      const company = await newCompany(db().db);
      const dead = await runningRun(company.id, DEAD_OWNER);
      const asked = await requestSync(services, {
        companyId: company.id,
        trigger: 'manual',
        mode: 'full',
        startedByUserId: '1',
        startedByName: 'Ada Admin',
      });
      expect(asked.created).toBe(true);
      expect(asked.run.id).not.toBe(dead);
      expect(await runRow(dead)).toMatchObject({ status: 'failed', status_reason: INTERRUPTED_REASON });
    } finally {
      await services.close();
    }
  });

  it('Sync returns the run of a live process (this one)', async () => {
    const services = await testServices(db());
    try {
      const company = await newCompany(db().db);
      const live = await runningRun(company.id, String(processLeaseKey(db().db)));
      const asked = await requestSync(services, {
        companyId: company.id,
        trigger: 'manual',
        mode: 'full',
        startedByUserId: '1',
        startedByName: 'Ada Admin',
      });
      expect(asked).toMatchObject({ created: false, run: { id: live, status: 'running' } });
      expect((await services.recoverRuns()).includes(live)).toBe(false);
    } finally {
      await services.close();
    }
  });

  it('a shutdown whose drain times out marks the runs it still works as interrupted', async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const users = Array.from({ length: 3 }, () => procoreUser());
    const slow: UserDirectory = {
      ...memoryDirectory({ active: [users] }),
      async *activeUsers() {
        await blocked;
        yield { users, total: users.length };
      },
    };
    const services = await testServices(db(), undefined, { directoryFor: () => slow });
    const { startJobs } = await import('../../../server/jobs/registry');
    await startJobs(services, { pollingIntervalSeconds: 0.5 });
    const company = await newCompany(db().db);
    const { run } = await requestSync(services, {
      companyId: company.id,
      trigger: 'manual',
      mode: 'full',
      startedByUserId: '1',
      startedByName: 'Ada Admin',
    });
    const deadline = Date.now() + 60_000;
    while ((await runRow(run.id)).status !== 'running') {
      if (Date.now() > deadline) throw new Error('the run never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    await services.close(300);
    release();
    expect(await runRow(run.id)).toMatchObject({ status: 'failed', status_reason: INTERRUPTED_REASON });
  });

  it('Sync does not hand back a run of a live process whose work on it stopped minutes ago', async () => {
    const services = await testServices(db());
    try {
      const company = await newCompany(db().db);
      // This process is alive, but its heartbeat on the run stopped three minutes ago (its last
      // write failed while the database was away).
      const stuck = await runningRun(company.id, String(processLeaseKey(db().db)));
      const longAgo = new Date(Date.now() - 3 * 60_000);
      await db()
        .db.updateTable('sync_runs')
        .set({ started_at: longAgo, heartbeat_at: longAgo })
        .where('id', '=', stuck)
        .execute();
      const asked = await requestSync(services, {
        companyId: company.id,
        trigger: 'manual',
        mode: 'full',
        startedByUserId: '1',
        startedByName: 'Ada Admin',
      });
      expect(asked.created).toBe(true);
      expect(asked.run.id).not.toBe(stuck);
      expect(await runRow(stuck)).toMatchObject({ status: 'failed', status_reason: INTERRUPTED_REASON });
      // Its job stays queued for the tests after this one: end the run so that job has nothing to do.
      await finishRun(db().db, company.id, asked.run.id, {
        status: 'canceled',
        reason: null,
        now: new Date(),
      });
    } finally {
      await services.close();
    }
  });

  if (backend === 'postgres') {
    it('a terminated lease connection is reported and the lease taken again', async () => {
      const services = await testServices(db());
      try {
        const key = processLeaseKey(db().db)!;
        const held = async () =>
          (await sql<{ held: boolean }>`select ${leaseHeld(sql.lit(key))} as held`.execute(db().db)).rows[0]
            ?.held;
        expect(await held()).toBe(true);
        const admin = new pg.Client({ connectionString: db().connectionString });
        await admin.connect();
        await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where application_name = 'pws-process-lease' and datname = current_database()`,
        );
        await admin.end();
        const deadline = Date.now() + 60_000;
        for (;;) {
          if ((await held()) === true) break;
          if (Date.now() > deadline) throw new Error('the lease was not taken again');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await services.close();
      }
    });
  }
});
