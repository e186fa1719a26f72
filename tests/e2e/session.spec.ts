import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type FrameLocator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser';
import { expect, test } from './fixtures';
import { SCREENSHOT_DIR } from './screenshots';

/**
 * Connect and sessions in Chromium, inside the sandbox's cross-site Procore page (127.0.0.1 framing
 * localhost), with third-party cookies blocked (and the frame refused any storage, as Chromium
 * does then without storage partitioning) and with them allowed.
 *
 * This file's app issues session tokens that live 20 seconds (SESSION_TTL_SECONDS), so a page
 * kept open past a token's expiry is a matter of seconds. Its tests sign in through the popup in
 * browsers of their own: the sign-in, the reload and Disconnect are what they test.
 */
test.describe.configure({ mode: 'serial' });

const ACME = '4280001';
const LAKESHORE = '4280003';
const TTL_SECONDS = 20;
const DISCONNECTED = 'Worker Sync is disconnected from Acme Builders. Connect it again to sync.';

test.use({ appEnv: { SESSION_TTL_SECONDS: String(TTL_SECONDS) } });

let sandboxUrl = '';
let appUrl = '';

test.beforeEach(({ server }) => {
  sandboxUrl = server.sandboxUrl;
  appUrl = server.appUrl;
});

type Mode = 'blocked' | 'allowed';

/**
 * A browser profile with third-party cookies blocked (Chrome's setting `cookie_controls_mode` 1)
 * or allowed (0). The blocked profile keeps Playwright's own switches, which turn storage
 * partitioning off, so the frame also gets no storage at all: the hardest case a Procore user's
 * browser presents.
 */
async function browserFor(mode: Mode): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), `pws-chromium-${mode}-`));
  mkdirSync(join(profile, 'Default'));
  writeFileSync(
    join(profile, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: mode === 'blocked' ? 1 : 0 } }),
  );
  const executablePath = chromiumExecutable();
  return chromium.launchPersistentContext(profile, {
    ...(executablePath ? { executablePath } : {}),
    args: CHROMIUM_ARGS.filter((a) => !a.startsWith('--disable-features=')),
    viewport: { width: 1280, height: 800 },
  });
}

function frameOf(page: Page): FrameLocator {
  return page.frameLocator('iframe#app');
}

async function openProcore(page: Page): Promise<FrameLocator> {
  await page.goto(`${sandboxUrl}/?company_id=${ACME}`);
  return frameOf(page);
}

const signedIn = (app: FrameLocator) => app.getByRole('navigation', { name: 'Worker Sync pages' });

/** Connect → the sandbox's sign-in page → pick the person; returns the popup (closed or not). */
async function connectAs(page: Page, app: FrameLocator, person: RegExp): Promise<Page> {
  const popupOpened = page.waitForEvent('popup');
  await app.getByRole('button', { name: 'Connect to Procore' }).click();
  const popup = await popupOpened;
  await popup.getByRole('button', { name: person }).first().click();
  return popup;
}

async function shot(target: Page, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await target.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png` });
}

async function resetSandbox(page: Page) {
  const res = await page.request.post(`${sandboxUrl}/_sandbox/reset`, { data: {} });
  expect(res.ok()).toBeTruthy();
}

test('a refused connect says who is signed in, what Procore lets them do, and what to do next', async () => {
  const context = await browserFor('allowed');
  try {
    const page = await context.newPage();
    const app = await openProcore(page);
    const popup = await connectAs(page, app, /Theo Marchetti/);
    const reason =
      "You're signed in as Theo Marchetti, who has Standard access to the Company Admin tool in Procore. Ask a company admin to connect Worker Sync.";
    // The frame and the popup say the same thing; the popup stays open on it.
    await expect(app.getByRole('alert')).toHaveText(reason);
    await expect(popup.getByRole('heading', { name: "Worker Sync can't connect" })).toBeVisible();
    await expect(popup.locator('#message')).toHaveText(reason);
    await shot(page, 'connect-refused-frame');
    await shot(popup, 'connect-refused-popup');
    // The button closes its own window, which may end the click before Playwright has finished it.
    const closed = popup.waitForEvent('close');
    await popup
      .getByRole('button', { name: 'Close this window' })
      .click()
      .catch((err) => {
        if (!popup.isClosed()) throw err;
      });
    await closed;
    await expect(app.getByRole('button', { name: 'Connect to Procore' })).toBeEnabled();

    // A company where the app is not installed (Procore lists no tool for it there, so the app's
    // address is opened directly): the marketplace, not "could not be reached".
    const direct = await context.newPage();
    await direct.goto(`${appUrl}/?company_id=${LAKESHORE}`);
    const lakeshore = direct.mainFrame();
    const popupOpened = direct.waitForEvent('popup');
    await lakeshore.getByRole('button', { name: 'Connect to Procore' }).click();
    const second = await popupOpened;
    await second
      .getByRole('button', { name: /Dana Whitfield/ })
      .first()
      .click();
    const marketplace =
      'Worker Sync is not installed in Lakeshore Concrete. A company admin has to install it from the Procore App Marketplace first; then connect it here.';
    await expect(lakeshore.getByRole('alert')).toHaveText(marketplace);
    await expect(second.locator('#message')).toHaveText(marketplace);
    await shot(second, 'connect-not-installed-popup');
    await second.close();
  } finally {
    await context.close();
  }
});

test('a closed or cancelled Connect leaves nothing behind: the next sign-in hands its code over once', async () => {
  const context = await browserFor('allowed');
  try {
    const page = await context.newPage();
    await resetSandbox(page);
    const exchanges: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/auth/session') exchanges.push(r.url());
    });
    // Counts the frame's live `message` listeners (added minus removed), from its first script on.
    await context.addInitScript(() => {
      const w = window as unknown as { __pwsListeners: number };
      w.__pwsListeners = 0;
      const add = window.addEventListener.bind(window);
      const remove = window.removeEventListener.bind(window);
      window.addEventListener = ((type: string, ...rest: [EventListener, unknown?]) => {
        if (type === 'message') w.__pwsListeners++;
        return add(type, ...(rest as [EventListener]));
      }) as typeof window.addEventListener;
      window.removeEventListener = ((type: string, ...rest: [EventListener, unknown?]) => {
        if (type === 'message') w.__pwsListeners--;
        return remove(type, ...(rest as [EventListener]));
      }) as typeof window.removeEventListener;
    });
    const app = await openProcore(page);
    await expect(app.getByRole('button', { name: 'Connect to Procore' })).toBeEnabled();
    const listeners = () =>
      page
        .frame({ url: /localhost/ })!
        .evaluate(() => (window as unknown as { __pwsListeners: number }).__pwsListeners);
    const atRest = await listeners();
    for (let i = 0; i < 3; i++) {
      const popupOpened = page.waitForEvent('popup');
      await app.getByRole('button', { name: 'Connect to Procore' }).click();
      await (await popupOpened).close();
      await expect(app.getByRole('alert')).toContainText('closed before it finished');
    }
    expect(await listeners()).toBe(atRest);
    await connectAs(page, app, /Dana Whitfield/);
    await expect(signedIn(app)).toBeVisible({ timeout: 15_000 });
    await page.waitForTimeout(1000);
    expect(exchanges).toHaveLength(1);
  } finally {
    await context.close();
  }
});

for (const mode of ['blocked', 'allowed'] as const) {
  test(`third-party cookies ${mode}: a reload keeps the admin in, the session outlives its token, Disconnect ends the other tab`, async () => {
    test.setTimeout(120_000);
    const context = await browserFor(mode);
    try {
      const page = await context.newPage();
      await resetSandbox(page);
      const popups: Page[] = [];
      context.on('page', (p) => {
        if (p !== page) popups.push(p);
      });
      let app = await openProcore(page);
      const frameHasStorage = () =>
        page.frame({ url: /localhost/ })!.evaluate(() => {
          try {
            return window.sessionStorage.length >= 0;
          } catch {
            return false;
          }
        });
      expect(await frameHasStorage()).toBe(mode === 'allowed');

      await connectAs(page, app, /Dana Whitfield/);
      await expect(signedIn(app)).toBeVisible({ timeout: 15_000 });
      const signInPopups = popups.length;

      // Reload the Procore page: back in the app, no click, no popup, no typing.
      await page.reload();
      app = frameOf(page);
      await expect(signedIn(app)).toBeVisible({ timeout: 15_000 });
      await expect(app.getByText('Dana Whitfield · Company admin')).toBeVisible();
      expect(popups.length).toBe(signInPopups);
      await shot(page, `session-after-reload-${mode}`);

      // Kept open past the first token's expiry: renewed in the background, still working.
      const renewals: number[] = [];
      const refused: string[] = [];
      page.on('response', (r) => {
        const path = new URL(r.url()).pathname;
        if (path === '/auth/session/renew') renewals.push(r.status());
        if (path.startsWith('/api/') && r.status() === 401) refused.push(path);
      });
      await page.waitForTimeout((TTL_SECONDS + 6) * 1000);
      await app
        .getByRole('navigation', { name: 'Worker Sync pages' })
        .getByRole('link', { name: /^Workers/ })
        .click();
      await expect(app.getByRole('heading', { name: 'Workers' })).toBeVisible();
      await expect(app.getByRole('button', { name: 'Connect to Procore' })).toHaveCount(0);
      expect(renewals.length).toBeGreaterThanOrEqual(1);
      expect(renewals.every((s) => s === 200)).toBe(true);
      expect(refused).toEqual([]);

      // A second tab of the same Procore page is signed in by the same sign-in, without a click.
      const other = await context.newPage();
      const otherApp = await openProcore(other);
      await expect(signedIn(otherApp)).toBeVisible({ timeout: 15_000 });

      // Disconnect in the first tab.
      await app
        .getByRole('navigation', { name: 'Worker Sync pages' })
        .getByRole('link', { name: /^Connection/ })
        .click();
      await app.getByRole('button', { name: 'Disconnect' }).click();
      await app.getByRole('button', { name: 'Yes, disconnect' }).click();
      await expect(app.getByText(/Worker Sync is disconnected/).first()).toBeVisible();

      // The other tab's next request is refused, and it shows Connect with the reason. That request
      // is a click here, unless the tab's own polling (runs, alerts) gets there first and the
      // pages are already gone.
      await otherApp
        .getByRole('navigation', { name: 'Worker Sync pages' })
        .getByRole('link', { name: /^Users/ })
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      await expect(otherApp.getByRole('status').filter({ hasText: DISCONNECTED })).toBeVisible({
        timeout: 15_000,
      });
      await expect(otherApp.getByRole('button', { name: 'Connect to Procore' })).toBeEnabled();
      await shot(other, `session-ended-by-disconnect-${mode}`);

      // And a reload there does not bring the ended session back.
      await other.reload();
      const reloaded = frameOf(other);
      await expect(reloaded.getByRole('button', { name: 'Connect to Procore' })).toBeEnabled({
        timeout: 15_000,
      });
      await expect(signedIn(reloaded)).toHaveCount(0);
    } finally {
      await context.close();
    }
  });
}

test('where the frame keeps neither storage nor cookies, one click on Connect brings the admin back', async () => {
  const context = await browserFor('blocked');
  try {
    const page = await context.newPage();
    await resetSandbox(page);
    let app = await openProcore(page);
    await connectAs(page, app, /Dana Whitfield/);
    await expect(signedIn(app)).toBeVisible({ timeout: 15_000 });

    // What a browser that keeps no cookie for the frame would have at the reload: nothing.
    await context.clearCookies({ name: /^__Host-pws_session_/ });
    await page.reload();
    app = frameOf(page);
    const connect = app.getByRole('button', { name: 'Connect to Procore' });
    await expect(connect).toBeEnabled({ timeout: 15_000 });
    await expect(app.getByText(/Connect brings you back without a new sign-in/)).toBeVisible();
    await shot(page, 'session-reconnect-no-storage-no-cookies');
    // One click; Procore itself would not ask again, the sandbox's sign-in page asks who you are.
    const popup = await connectAs(page, app, /Dana Whitfield/);
    await popup.waitForEvent('close', { timeout: 15_000 }).catch(() => undefined);
    await expect(signedIn(app)).toBeVisible({ timeout: 15_000 });
  } finally {
    await context.close();
  }
});
