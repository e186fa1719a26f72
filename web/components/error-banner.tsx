import type { ApiError } from '../lib/request';

/**
 * Every failed request says what went wrong and what to do: `what` names the thing that failed
 * in the page's words, the server's message says why, and the button tries again.
 */
export function ErrorBanner({
  error,
  what,
  onRetry,
}: {
  error: ApiError | { message: string };
  what: string;
  onRetry?: () => void;
}) {
  return (
    <div class="core-banner core-banner--error banner banner--row" role="alert">
      <div>
        <strong>{what}</strong> {error.message}
      </div>
      {onRetry && (
        <button type="button" class="core-button core-button--secondary core-button--sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
