import type { APIRequestContext, Disposable, Page } from '@playwright/test';
import type { SessionResponse } from '../../web/api-types';
import type { StoredSession } from '../../web/lib/session-store';

/**
 * Signing in without the popup: the same HTTP requests the popup makes, so the app runs its real
 * OAuth callback (the code exchange, the company's connection, the webhook check) and issues a
 * real session token. Only the clicking is skipped.
 */

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) attrs[m[1]!] = unescapeHtml(m[2]!);
  return attrs;
}

/**
 * What submitting the authorize page's form for `person` would send: the form holding the button
 * that names them, its hidden fields, and the button's own name and value.
 */
function chooseOnAuthorizePage(
  html: string,
  person: string,
): { action: string; fields: Record<string, string> } {
  for (const form of html.match(/<form\b[\s\S]*?<\/form>/g) ?? []) {
    for (const button of form.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)) {
      const label = unescapeHtml(button[2]!.replace(/<[^>]*>/g, ' '));
      const { name, value } = attributes(button[1]!);
      if (!name || value === undefined || !label.includes(person)) continue;
      const fields: Record<string, string> = {};
      for (const input of form.matchAll(/<input\b([^>]*)>/g)) {
        const a = attributes(input[1]!);
        if (a.type === 'hidden' && a.name) fields[a.name] = a.value ?? '';
      }
      fields[name] = value;
      return { action: attributes(form.match(/<form\b([^>]*)>/)![1]!).action ?? '', fields };
    }
  }
  throw new Error(`The sign-in page offers no button for ${person}`);
}

function redirectTarget(res: { status(): number; headers(): Record<string, string>; url(): string }): string {
  const location = res.headers().location;
  if (res.status() < 300 || res.status() >= 400 || !location) {
    throw new Error(`Expected a redirect from ${res.url()}, got ${res.status()}`);
  }
  return new URL(location, res.url()).toString();
}

/** A finished sign-in: what the frame keeps, and when its refresh handle lapses. */
export interface SignIn {
  /** Exactly what the app stores when the popup hands it the sign-in (SessionModel's `adopt`). */
  session: StoredSession;
  /** The handle's lapse, the lifetime the app gives the handle's partitioned cookie. */
  handleExpiresAt: string;
}

/**
 * Connect → Procore's sign-in page → pick `person` → callback → `/auth-popup.html#code=…` →
 * `POST /auth/session`. `api` must be a fresh request context: its cookie jar carries the
 * popup's nonce cookie from the start to the callback.
 */
export async function signInThroughOAuth(
  api: APIRequestContext,
  appUrl: string,
  companyId: string,
  person: string,
): Promise<SignIn> {
  const start = await api.get(`${appUrl}/auth/procore/start`, {
    params: { company_id: companyId },
    maxRedirects: 0,
  });
  const authorizeUrl = redirectTarget(start);

  const page = await api.get(authorizeUrl);
  if (!page.ok()) throw new Error(`Procore's sign-in page answered ${page.status()}`);
  const { action, fields } = chooseOnAuthorizePage(await page.text(), person);

  const chosen = await api.post(new URL(action, authorizeUrl).toString(), { form: fields, maxRedirects: 0 });
  const callbackUrl = redirectTarget(chosen);

  const callback = await api.get(callbackUrl, { maxRedirects: 0 });
  const result = new URLSearchParams(new URL(redirectTarget(callback)).hash.slice(1));
  const code = result.get('code');
  if (!code) {
    throw new Error(`The sign-in as ${person} failed: ${result.get('error')} — ${result.get('reason')}`);
  }

  const exchanged = await api.post(`${appUrl}/auth/session`, { data: { code } });
  if (!exchanged.ok()) throw new Error(`POST /auth/session answered ${exchanged.status()}`);
  const issued = (await exchanged.json()) as SessionResponse;
  if (issued.companyId !== companyId) throw new Error(`Signed in to company ${issued.companyId}`);
  return {
    session: {
      token: issued.token,
      expiresAt: issued.expiresAt,
      userName: issued.userName,
      isAdmin: issued.isAdmin,
      handle: issued.handle,
    },
    handleExpiresAt: issued.handleExpiresAt,
  };
}

/**
 * Leaves the browser of `page` as a sign-in through the popup leaves it, for the next load of the
 * framed app in `page`:
 *  - the session where the framed app keeps it (web/lib/session-store.ts: sessionStorage on the
 *    app's origin, key `pws.session.<company id>`). An init script writes it in the app's frame
 *    before the app's own scripts run; the caller disposes of it once the app has loaded, and from
 *    then on the app owns the entry: a sign-out survives a reload as after a real sign-in;
 *  - the refresh handle's cookie, partitioned under the Procore page's site (`sandboxUrl`), as
 *    the app sets it in answer to the frame's own `POST /auth/session`.
 */
export async function seedSession(
  page: Page,
  urls: { appUrl: string; sandboxUrl: string },
  companyId: string,
  { session, handleExpiresAt }: SignIn,
): Promise<Disposable> {
  if (session.handle) {
    await page.context().addCookies([
      {
        name: `__Host-pws_session_${companyId}`,
        value: session.handle,
        // A host-only cookie (a domain without a leading dot), as `__Host-` requires.
        domain: new URL(urls.appUrl).hostname,
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'None',
        expires: Math.floor(Date.parse(handleExpiresAt) / 1000),
        // The top-level site, as Chromium keys partitions: scheme and host, no port.
        partitionKey: `${new URL(urls.sandboxUrl).protocol}//${new URL(urls.sandboxUrl).hostname}`,
      },
    ]);
  }
  return page.addInitScript(
    ({ origin, key, value }) => {
      if (window.location.origin !== origin) return;
      try {
        window.sessionStorage.setItem(key, value);
      } catch {
        // No storage at all for the frame: the app would fall back to memory and show Connect.
      }
    },
    { origin: new URL(urls.appUrl).origin, key: `pws.session.${companyId}`, value: JSON.stringify(session) },
  );
}
