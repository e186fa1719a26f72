import type { ComponentChildren } from 'preact';

/** The Worker Sync brand line, with what the signed-in shell adds beside it (company, person). */
export function AppHeader({ children }: { children?: ComponentChildren }) {
  return (
    <header class="app-header">
      <div class="app-brand">
        <span class="app-mark" aria-hidden="true">
          WS
        </span>
        <h1 class="app-title">Worker Sync</h1>
      </div>
      {children}
    </header>
  );
}
