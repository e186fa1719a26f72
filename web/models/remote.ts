import { ApiError } from '../lib/request';

/**
 * Remote data is one status signal. A ready value may carry the error of its
 * last background refresh: the page keeps showing what it has and says the refresh failed.
 */
export type Remote<T> =
  | { status: 'loading' }
  | { status: 'ready'; data: T; refreshError?: ApiError }
  | { status: 'error'; error: ApiError };

/** What a button-started action is doing: one status, the message when it failed. */
export type ActionState = { status: 'idle' } | { status: 'busy' } | { status: 'error'; message: string };

export const IDLE: ActionState = { status: 'idle' };

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError(0, 'unknown', 'Something went wrong in this page. Reload it to try again.');
}

/** The next value after a failed load: keep data already shown, else become an error. */
export function failed<T>(current: Remote<T>, err: unknown): Remote<T> {
  const error = asApiError(err);
  return current.status === 'ready' ? { ...current, refreshError: error } : { status: 'error', error };
}
