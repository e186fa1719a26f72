import { afterAll, describe, expect, it } from 'vitest';
import { ACME } from '../helpers/sandbox';
import { api, appSite, connectOverHttp, faultSandbox, killApp, startApp, tempDir, until } from './stack';

/**
 * 500 Procore edits while the app is killed and restarted: those it accepted before the kill,
 * those it was working on, and those Procore retried while it was down are all applied within two
 * minutes of the restart.
 */
const EDITS = 500;

describe('webhook deliveries across a SIGKILL [pglite]', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it(`${EDITS} deliveries around a kill and restart are all applied`, async () => {
    const sandbox = await faultSandbox(EDITS + 150);
    cleanup.push(() => sandbox.close());
    const dir = tempDir('pws-fault-hooks-');
    cleanup.push(async () => dir.remove());
    const site = await appSite(sandbox, { dataDir: dir.dir });
    let app = await startApp(site);
    cleanup.push(() => killApp(app));
    const token = await connectOverHttp(site.url, sandbox);
    const client = api(site.url, token);
    const first = await client.finished((await client.sync()).body.run.id);
    expect(first.status).toMatch(/succeeded|partial/);

    const { items } = await sandbox.control<{
      items: Array<{ id: number; is_employee: boolean; is_service_account: boolean }>;
    }>(`/_sandbox/companies/${ACME}/users?active=true`);
    // People the first sync made workers of (some of the generated users are skipped for a
    // missing phone or the like: an edit to them has no worker to show it).
    const synced = new Set((await client.workers('')).map((w) => w.procoreUserId));
    const targets = items
      .filter((u) => u.is_employee && !u.is_service_account && synced.has(String(u.id)))
      .slice(0, EDITS);
    expect(targets).toHaveLength(EDITS);
    const edit = (id: number) =>
      sandbox.control(`/_sandbox/companies/${ACME}/users/${id}`, {
        method: 'PATCH',
        body: { last_name: `Edited${id}` },
      });
    const inBatches = async (ids: number[]) => {
      for (let i = 0; i < ids.length; i += 25) await Promise.all(ids.slice(i, i + 25).map(edit));
    };
    const ids = targets.map((u) => u.id);
    // Part before the kill, part racing it, the rest while the app is down.
    await inBatches(ids.slice(0, 200));
    const racing = inBatches(ids.slice(200, 300));
    await killApp(app, 'SIGKILL');
    await racing;
    await inBatches(ids.slice(300));

    app = await startApp(site);
    const restartedAt = Date.now();
    let lastDone = 0;
    const applied = await until(
      async () => {
        const edited = await client.workers('Edited');
        const done = new Set(
          edited.filter((w) => w.lastName === `Edited${w.procoreUserId}`).map((w) => w.procoreUserId),
        );
        lastDone = done.size;
        return ids.every((id) => done.has(String(id))) ? done.size : undefined;
      },
      `all ${EDITS} edits to be applied`,
      120_000,
      // A slow poll: on PGlite every query shares one connection with the webhook jobs.
      3_000,
    ).catch(async (err) => {
      const { items: sent } = await sandbox.control<{ items: Array<{ status: string }> }>(
        `/_sandbox/deliveries?company_id=${ACME}`,
      );
      const byStatus: Record<string, number> = {};
      for (const d of sent) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
      throw new Error(
        `${(err as Error).message}: ${lastDone} applied; Procore's deliveries ${JSON.stringify(byStatus)}\n${app.proc.output().slice(-3000)}`,
      );
    });
    expect(applied).toBe(EDITS);
    console.log(
      `[faults] webhooks: ${EDITS} edits around a SIGKILL applied ${Date.now() - restartedAt} ms after the restart; 0 lost`,
    );
  }, 1_200_000);
});
