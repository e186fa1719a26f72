import '@procore/core-css';
import './styles.css';
import { initialize } from '@procore/procore-iframe-helpers';

/**
 * The popup's last page, on the app's own origin. It hands the outcome of the sign-in to the
 * iframe that opened it, posting only to this origin (procore-app.md §2.2: notifySuccess posts to
 * the popup's own origin by default; the iframe is served from the same one).
 */
const params = new URLSearchParams(window.location.hash.slice(1));
history.replaceState(null, '', window.location.pathname); // the one-time code leaves the address bar
const context = initialize();
const code = params.get('code');
const message = document.getElementById('message');

if (!window.opener) {
  if (message) {
    message.textContent =
      'This window was not opened by Worker Sync. Close it and connect from the app in Procore.';
  }
} else if (code) {
  context.authentication.notifySuccess({ code }, window.location.origin);
} else {
  const reason = params.get('reason') ?? 'The sign-in did not finish. Try connecting again.';
  if (message) message.textContent = reason;
  context.authentication.notifyFailure(
    { type: params.get('error') ?? 'connect_failed', reason },
    window.location.origin,
  );
}
