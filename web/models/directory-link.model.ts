import { type ReadonlySignal, signal } from '@preact/signals';
import type { Api } from '../api';

/**
 * Where a Procore user's page in Procore's company Directory is (the server's configured pattern,
 * the sandbox's Directory in sandbox mode): asked once per signed-in frame, shared by every screen.
 */
const patterns = new WeakMap<Api, ReadonlySignal<string | null>>();

export function directoryPattern(api: Api): ReadonlySignal<string | null> {
  const known = patterns.get(api);
  if (known) return known;
  const pattern = signal<string | null>(null);
  patterns.set(api, pattern);
  api.directoryLink().then(
    (link) => {
      pattern.value = link.userUrl;
    },
    // Without it the entries show no link; the next screen that needs one asks again.
    () => patterns.delete(api),
  );
  return pattern;
}

export function directoryUserUrl(pattern: string | null, procoreUserId: string | null): string | null {
  if (!pattern || !procoreUserId) return null;
  return pattern.replaceAll('{userId}', encodeURIComponent(procoreUserId));
}
