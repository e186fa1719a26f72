import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, type FrameLocator, type Page } from '@playwright/test';
import type { StoredSession } from '../../web/lib/session-store';
import { ADMIN, COMPANY_ID, NON_ADMIN, openSignedIn } from './app';
import { type AppEnv, type AppServer, startAppServer } from './app-server';
import { type FileApp, FileApps, runBook } from './file-apps';
import { type SignIn, seedSession, signInThroughOAuth } from './sign-in';
import { templateIn } from './template';

export { expect } from '@playwright/test';

/**
 * Every spec file gets an app of its own (a fresh database, a fresh sandbox, free ports), so no
 * file depends on what another did and files can run in parallel. Playwright has no file-scoped
 * fixtures: a worker-scoped one (`fileApps`, see file-apps.ts) hands each file its app. A file
 * retried in a new worker after a failure starts again on a fresh app.
 */
interface WorkerFixtures {
  fileApps: FileApps;
}

export interface Fixtures {
  /** Settings for this file's app, as environment variables: `test.use({ appEnv })` at the top of a file. */
  appEnv: AppEnv;
  fileApp: FileApp;
  /** This file's app and sandbox. */
  server: AppServer;
  /** Signs `person` in through the OAuth flow, once per file: the session and its handle's lapse. */
  signIn: (person: string) => Promise<SignIn>;
  /** Signs `person` in through the OAuth flow (once per file) and returns the session it issued. */
  sessionFor: (person: string) => Promise<StoredSession>;
  /** The framed app in `page`, signed in as the company admin, Dana Whitfield. */
  adminApp: FrameLocator;
  /** The framed app in `page`, signed in as Luis Ortega, a company member who is not an admin. */
  nonAdminApp: FrameLocator;
}

/** Opens the framed app in `page` with `signIn` in place, as a sign-in through the popup leaves it. */
async function openAs(page: Page, server: AppServer, signIn: SignIn): Promise<FrameLocator> {
  const seeded = await seedSession(page, server, COMPANY_ID, signIn);
  try {
    return await openSignedIn(page);
  } finally {
    await seeded.dispose();
  }
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  appEnv: [{}, { option: true }],

  fileApps: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use, workerInfo) => {
      const { testDir } = workerInfo.project;
      const specFiles = readdirSync(testDir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.spec.ts'))
        .map((f) => join(testDir, f));
      const runDir = process.env.E2E_RUN_DIR;
      const apps = new FileApps({
        start: async (env) => startAppServer(runDir ? await templateIn(runDir) : undefined, env),
        ...(runDir ? { book: runBook(runDir, specFiles, String(workerInfo.workerIndex)) } : {}),
      });
      await use(apps);
      await apps.close();
    },
    // Set up before the browser, so the first app starts while the browser launches. Long enough
    // to wait for a spare still starting on a busy machine, then stop it.
    { scope: 'worker', auto: true, timeout: 180_000 },
  ],

  // Its own timeout: starting an app is not part of what a test's timeout measures.
  fileApp: [
    async ({ fileApps, appEnv }, use, testInfo) => use(await fileApps.forFile(testInfo.file, appEnv)),
    { timeout: 180_000 },
  ],

  server: async ({ fileApp }, use) => use(fileApp.server),

  baseURL: async ({ server }, use) => use(server.sandboxUrl),

  signIn: async ({ fileApp, playwright }, use) => {
    await use((person) => {
      let signIn = fileApp.signIns.get(person);
      if (!signIn) {
        signIn = (async () => {
          const api = await playwright.request.newContext();
          try {
            return await signInThroughOAuth(api, fileApp.server.appUrl, COMPANY_ID, person);
          } finally {
            await api.dispose();
          }
        })();
        // A failed sign-in is not remembered: the next test tries again.
        signIn.catch(() => fileApp.signIns.delete(person));
        fileApp.signIns.set(person, signIn);
      }
      return signIn;
    });
  },

  sessionFor: async ({ signIn }, use) => use(async (person) => (await signIn(person)).session),

  adminApp: async ({ page, server, signIn }, use) => {
    await use(await openAs(page, server, await signIn(ADMIN)));
  },

  nonAdminApp: async ({ page, server, signIn }, use) => {
    // Only an admin can connect the company; a member signs in to a company already connected.
    await signIn(ADMIN);
    await use(await openAs(page, server, await signIn(NON_ADMIN)));
  },
});
