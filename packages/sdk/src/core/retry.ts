import type { APIError } from '../errors/api-error';

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A `Retry-After` longer than this is a signal to give up, not to block the caller. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Whether a failed response is worth another attempt. The platform's `x-should-retry` decides
 * when present. Otherwise every method qualifies: GET, PATCH (it sets fields) and DELETE are
 * idempotent by nature, and every POST carries one `Idempotency-Key` for all its attempts, so a
 * replay returns the first result instead of acting twice.
 */
export function shouldRetry(error: APIError): boolean {
  const header = error.headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return isRetryableStatus(error.status, error.code);
}

export function isRetryableStatus(status: number, code: string): boolean {
  if (status === 409) return code === 'idempotency_key_in_use';
  return status === 408 || status === 429 || status >= 500;
}

/** Exponential backoff with up to 25% jitter, so many clients that failed together do not retry together. */
export function backoffMs(retriesSoFar: number): number {
  const backoff = Math.min(INITIAL_DELAY_MS * 2 ** retriesSoFar, MAX_DELAY_MS);
  return backoff * (1 - Math.random() * 0.25);
}

/** `Retry-After-Ms`, or `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - Date.now();
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
