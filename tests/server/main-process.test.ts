import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../server/db/connect';
import { freePort, startCommand, startServerProcess, waitForHttp } from '../helpers/process';

/** The real entry point, as an operator runs it. */
describe('server/main.ts', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pws-main-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('stops with a message naming a bad environment variable', async () => {
    const started = startServerProcess({ PORT: 'not-a-port', DATA_DIR: tempDir() });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/PORT/);
    expect(started.output()).toMatch(/Invalid configuration/);
  });

  it('refuses a second process on the same DATA_DIR, and serves, migrates and shuts down cleanly', async () => {
    const dataDir = tempDir();
    const [port, sandboxPort, port2, sandboxPort2] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const first = startServerProcess({
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      DATA_DIR: dataDir,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 120_000);
      const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
      expect(ready).toEqual({ status: 'ready', database: 'pglite' });
      // The first thing printed is the address to open, not a log line.
      const printed = first
        .output()
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      expect(printed[0]).toMatch(/running in sandbox mode/);
      expect(printed[1]).toContain(`Open http://127.0.0.1:${sandboxPort}/`);

      const second = startServerProcess({
        PORT: String(port2),
        SANDBOX_PORT: String(sandboxPort2),
        DATA_DIR: dataDir,
      });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/already in use by another process/);

      // The first is untouched by the refused second one.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);

    // A restart on the same directory opens it again: the lock was released, migrations are idempotent.
    const again = startServerProcess({
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      DATA_DIR: dataDir,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 120_000);
    } finally {
      again.child.kill('SIGTERM');
    }
    expect(await again.exited).toBe(0);
  }, 300_000);

  it('runs as npm start runs it: the server bundle under plain Node, with every migration', async () => {
    const dataDir = tempDir();
    const [port, sandboxPort] = await Promise.all([freePort(), freePort()]);
    const command = startCommand();
    expect(command.nodeArgs.at(-1)).toBe('build/server.mjs');
    const app = startServerProcess(
      { PORT: String(port), SANDBOX_PORT: String(sandboxPort), DATA_DIR: dataDir },
      command,
    );
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 120_000);
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({
        status: 'ready',
        database: 'pglite',
      });
      // No TypeScript loader in the app's process.
      const cmdline = readFileSync(`/proc/${app.child.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toContain('build/server.mjs');
      expect(cmdline.join(' ')).not.toMatch(/tsx/);
    } finally {
      app.child.kill('SIGTERM');
    }
    expect(await app.exited).toBe(0);

    // The bundle applied the compiled twin of every migration in migrations/.
    const database = await openPglite({ dataDir });
    try {
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        database.db,
      );
      const sources = readdirSync('migrations')
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, ''))
        .sort();
      expect(applied.rows.map((r) => r.name)).toEqual(sources);
    } finally {
      await database.close();
    }
  }, 300_000);
});
