/**
 * Opens Procore's sign-in in a popup and waits for its outcome, speaking the message protocol of
 * `@procore/procore-iframe-helpers` (procore-app.md §2.2): the popup's last page, on this origin,
 * posts `{ type: "authentication.success" | "authentication.failure", payload }` to its opener.
 *
 * The helper's own parent side is not used here: each `initialize()` adds a `message` listener it
 * never removes, so every cancelled Connect left one behind and a later sign-in delivered its
 * one-time code once per listener; and it closes the popup on failure, before the person can read
 * why. Here each attempt has one listener and one close monitor, both gone when it settles
 * (success, failure, closed, or cancelled), and a refused sign-in leaves the popup open on its
 * reason.
 */
export type PopupOutcome =
  | { kind: 'success'; code: string }
  | { kind: 'failure'; type: string; reason: string | null };

const WIDTH = 560;
const HEIGHT = 640;
const CLOSED_POLL_MS = 200;

interface AuthMessage {
  type?: unknown;
  payload?: { code?: unknown; type?: unknown; reason?: unknown } | null;
}

/** Starts one sign-in attempt; returns a function that abandons it (and closes the popup). */
export function openConnectPopup(url: string, settle: (outcome: PopupOutcome) => void): () => void {
  const left = window.screenX + (window.outerWidth - WIDTH) / 2;
  const top = window.screenY + (window.outerHeight - HEIGHT) / 2;
  const popup = window.open(
    new URL(url, window.location.href).toString(),
    '_blank',
    `popup=yes,width=${WIDTH},height=${HEIGHT},left=${Math.round(left)},top=${Math.round(top)}`,
  );
  let done = false;

  const finish = (outcome: PopupOutcome | null) => {
    if (done) return;
    done = true;
    window.removeEventListener('message', onMessage);
    window.clearInterval(monitor);
    if (outcome) settle(outcome);
  };

  function onMessage(event: MessageEvent) {
    // Only the popup this attempt opened, on the app's own origin, may answer it.
    if (event.origin !== window.location.origin || !popup || event.source !== popup) return;
    const data = event.data as AuthMessage | null;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'authentication.success') {
      const code = data.payload?.code;
      popup.close();
      finish(
        typeof code === 'string' && code
          ? { kind: 'success', code }
          : { kind: 'failure', type: 'connect_failed', reason: null },
      );
    } else if (data.type === 'authentication.failure') {
      finish({
        kind: 'failure',
        type: typeof data.payload?.type === 'string' ? data.payload.type : 'connect_failed',
        reason: typeof data.payload?.reason === 'string' ? data.payload.reason : null,
      });
    }
  }

  if (!popup) {
    done = true;
    settle({
      kind: 'failure',
      type: 'popup_blocked',
      reason:
        'Your browser blocked the Procore sign-in window. Allow pop-ups for this page, then Connect again.',
    });
    return () => {};
  }
  window.addEventListener('message', onMessage);
  const monitor = window.setInterval(() => {
    if (popup.closed) finish({ kind: 'failure', type: 'canceled_by_user', reason: null });
  }, CLOSED_POLL_MS);

  return () => {
    finish(null);
    if (!popup.closed) popup.close();
  };
}
