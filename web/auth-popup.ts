import '@procore/core-css';
import './styles.css';
import { initialize } from '@procore/procore-iframe-helpers';

/**
 * The popup's last page, on the app's own origin. It hands the outcome of the sign-in to the
 * iframe that opened it, posting only to this origin (procore-app.md §2.2: notifySuccess posts to
 * the popup's own origin by default; the iframe is served from the same one). A refused sign-in
 * stays open on its reason, the same sentence the frame shows, until the person closes it.
 */
const params = new URLSearchParams(window.location.hash.slice(1));
history.replaceState(null, '', window.location.pathname); // the one-time code leaves the address bar
const code = params.get('code');
const heading = document.getElementById('heading');
const message = document.getElementById('message');
const close = document.getElementById('close');

function show(title: string, text: string, closable: boolean) {
  document.title = `${title} · Worker Sync`;
  if (heading) heading.textContent = title;
  if (message) message.textContent = text;
  if (close && closable) {
    close.hidden = false;
    close.addEventListener('click', () => window.close());
    close.focus();
  }
}

if (!window.opener) {
  show(
    'Worker Sync',
    'This window was not opened by Worker Sync. Close it and connect from the app in Procore.',
    true,
  );
} else if (code) {
  show('Signed in', 'You are signed in. This window closes by itself.', false);
  initialize().authentication.notifySuccess({ code }, window.location.origin);
} else {
  const error = params.get('error') ?? 'connect_failed';
  const reason = params.get('reason') ?? 'The sign-in did not finish. Try connecting again.';
  show(error === 'access_denied' ? 'Not connected' : "Worker Sync can't connect", reason, true);
  initialize().authentication.notifyFailure({ type: error, reason }, window.location.origin);
}
