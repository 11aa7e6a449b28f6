import { isHTTPError, type RetryOptions } from 'ky';

/** A `Retry-After` longer than this is a signal to give up, not to block the caller. */
export const MAX_RETRY_AFTER_MS = 60_000;
const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** 408, 409 (only `idempotency_key_in_use`, see below), 429 and every 5xx. */
const RETRY_STATUS_CODES = [408, 409, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

/**
 * ky's retry policy for one client. Every method qualifies: GET, PATCH (it sets fields) and
 * DELETE are idempotent by nature, and the client gives each POST one `Idempotency-Key` before
 * ky sees the request, so every attempt carries the same key and a replay returns the first
 * result instead of acting twice. `Retry-After` is honoured on every retried status.
 */
export function retryPolicy(limit: number): RetryOptions {
  return {
    limit,
    methods: ['get', 'post', 'patch', 'delete'],
    statusCodes: RETRY_STATUS_CODES,
    afterStatusCodes: RETRY_STATUS_CODES,
    maxRetryAfter: MAX_RETRY_AFTER_MS,
    retryOnTimeout: true,
    delay: (attempt) => INITIAL_DELAY_MS * 2 ** (attempt - 1),
    backoffLimit: MAX_DELAY_MS,
    // Up to 25% less, so many clients that failed together do not retry together.
    jitter: (delay) => delay * (1 - Math.random() * 0.25),
    shouldRetry: ({ error }) => platformSays(error),
  };
}

/**
 * What the platform's answer decides before ky's status list does. ky asks this before it waits,
 * so an answer that must not be retried fails at once (a `beforeRetry` hook runs only after the
 * wait, and `ky.stop` would resolve the call with nothing instead of the error).
 * - `x-should-retry: false` (the failed-authentication 429): never; `true`: even a status ky would not retry.
 * - A `Retry-After` above the cap: give up now, the error's `retryAfter` says how long was asked.
 * - 409: only `idempotency_key_in_use` (the first attempt with this key is still running).
 * `undefined` leaves it to ky's `statusCodes`, `afterStatusCodes` and backoff.
 */
async function platformSays(error: Error): Promise<boolean | undefined> {
  if (!isHTTPError(error)) return undefined; // connection failures and timeouts: ky retries them
  const { headers, status } = error.response;
  const said = headers.get('x-should-retry');
  if (said === 'false') return false;
  const wait = retryAfterMs(headers);
  if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) return false;
  if (said === 'true') return RETRY_STATUS_CODES.includes(status) ? undefined : true;
  // The lock is ky's to retry (409 is in its list), so its Retry-After is honoured; any other 409 is final.
  if (status === 409) return (await errorCode(error.response)) === 'idempotency_key_in_use' ? undefined : false;
  return undefined;
}

async function errorCode(response: Response): Promise<unknown> {
  try {
    return ((await response.clone().json()) as { error?: { code?: unknown } }).error?.code;
  } catch {
    return undefined;
  }
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - Date.now();
}
